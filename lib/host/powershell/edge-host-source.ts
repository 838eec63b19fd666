// The C# that edge-js compiles and runs in-process: it hosts one PowerShell runspace
// (System.Management.Automation, Windows PowerShell 5.1's on a server) and runs one command per
// call, with the parameters splatted from what Node passed. Kept as a string so the bundle
// carries it. On Linux the tests compile it unchanged against a fake System.Management.Automation
// (test/fakes/adfs/sma/) on Mono, so this exact code is what the edge tests run.
//
// Request (from Node): { op: 'invoke' | 'hasCommand', command, parameters? }.
// Response: { ok: true, output: [...] } | { ok: true, exists } | { ok: false, error: {...} },
// the same shapes the child-process runner writes as JSON (protocol.ts).
export const EDGE_HOST_SOURCE = String.raw`
using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading.Tasks;

public class Startup
{
    static readonly object Gate = new object();
    static Runspace shared;

    public Task<object> Invoke(object input)
    {
        var request = (IDictionary<string, object>)input;
        return Task.Run(() => (object)Run(request));
    }

    static Runspace SharedRunspace()
    {
        if (shared == null)
        {
            shared = RunspaceFactory.CreateRunspace();
            shared.Open();
        }
        return shared;
    }

    static IDictionary<string, object> Run(IDictionary<string, object> request)
    {
        var op = request.ContainsKey("op") ? request["op"] as string : "invoke";
        var command = request["command"] as string;
        lock (Gate)
        {
            try
            {
                using (var ps = PowerShell.Create())
                {
                    ps.Runspace = SharedRunspace();
                    if (op == "hasCommand")
                    {
                        ps.AddCommand("Get-Command").AddParameter("Name", command).AddParameter("ErrorAction", "SilentlyContinue");
                        var found = ps.Invoke();
                        var r = new Dictionary<string, object>();
                        r["ok"] = true;
                        r["exists"] = found.Count > 0;
                        return r;
                    }
                    ps.AddCommand(command);
                    object p;
                    if (request.TryGetValue("parameters", out p) && p is IDictionary<string, object>)
                    {
                        foreach (var kv in (IDictionary<string, object>)p) ps.AddParameter(kv.Key, ToClr(kv.Value));
                    }
                    var results = ps.Invoke();
                    if (ps.Streams.Error.Count > 0) return Failure(ps.Streams.Error[0], null);
                    var output = new List<object>();
                    foreach (var o in results) output.Add(ToPlain(o, 0));
                    var ok = new Dictionary<string, object>();
                    ok["ok"] = true;
                    ok["output"] = output.ToArray();
                    return ok;
                }
            }
            catch (RuntimeException e)
            {
                return Failure(e.ErrorRecord, e);
            }
            catch (Exception e)
            {
                return Failure(null, e);
            }
        }
    }

    static IDictionary<string, object> Failure(ErrorRecord record, Exception e)
    {
        var error = new Dictionary<string, object>();
        var ex = record != null && record.Exception != null ? record.Exception : e;
        error["message"] = ex != null ? ex.Message : "the command failed";
        error["exceptionType"] = ex != null ? ex.GetType().FullName : null;
        if (record != null)
        {
            error["fullyQualifiedErrorId"] = record.FullyQualifiedErrorId;
            error["category"] = record.CategoryInfo != null ? record.CategoryInfo.Category.ToString() : null;
            error["targetObject"] = record.TargetObject != null ? record.TargetObject.ToString() : null;
        }
        var r = new Dictionary<string, object>();
        r["ok"] = false;
        r["error"] = error;
        return r;
    }

    // Node's values as PowerShell binds them: string arrays typed string[], objects as hashtables.
    static object ToClr(object v)
    {
        if (v == null || v is string) return v;
        var dict = v as IDictionary<string, object>;
        if (dict != null)
        {
            var h = new Hashtable();
            foreach (var kv in dict) h[kv.Key] = ToClr(kv.Value);
            return h;
        }
        var arr = v as object[];
        if (arr != null)
        {
            var allStrings = arr.Length > 0;
            var items = new object[arr.Length];
            for (var i = 0; i < arr.Length; i++) { items[i] = ToClr(arr[i]); if (!(items[i] is string)) allStrings = false; }
            if (allStrings) { var s = new string[items.Length]; for (var i = 0; i < items.Length; i++) s[i] = (string)items[i]; return s; }
            return items;
        }
        return v;
    }

    // Output objects as ConvertTo-Json -Depth 8 would carry them.
    static object ToPlain(object o, int depth)
    {
        if (o == null) return null;
        var pso = o as PSObject;
        var b = pso != null ? pso.BaseObject : o;
        if (b == null) return null;
        if (b is string || b is bool) return b;
        if (b is char) return b.ToString();
        if (b is Enum) return b.ToString();
        if (b is int || b is short || b is byte || b is sbyte || b is ushort) return Convert.ToInt32(b);
        if (b is long || b is uint || b is ulong || b is float || b is double || b is decimal) return Convert.ToDouble(b);
        if (b is DateTime) return ((DateTime)b).ToString("o");
        if (b is Guid || b is Uri || b is Version || b is TimeSpan) return b.ToString();
        if (depth >= 8) return b.ToString();
        var dict = b as IDictionary;
        if (dict != null)
        {
            var d = new Dictionary<string, object>();
            foreach (DictionaryEntry e in dict) d[e.Key.ToString()] = ToPlain(e.Value, depth + 1);
            return d;
        }
        var seq = b as IEnumerable;
        if (seq != null)
        {
            var list = new List<object>();
            foreach (var item in seq) list.Add(ToPlain(item, depth + 1));
            return list.ToArray();
        }
        var wrapped = pso ?? PSObject.AsPSObject(b);
        var props = new Dictionary<string, object>();
        foreach (var prop in wrapped.Properties)
        {
            object value;
            try { value = prop.Value; } catch { continue; }
            props[prop.Name] = ToPlain(value, depth + 1);
        }
        return props;
    }
}
`;
