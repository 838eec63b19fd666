// A fake System.Management.Automation for Mono: just enough of the PowerShell hosting API for
// lib/host/powershell/edge-host-source.ts (the edge-js transport's C#) to compile and run
// unchanged on Linux. Commands do not run here: PowerShell.Invoke() hands each call to a
// backend that Node attaches through edge-js (FakeAdfsBackend.Attach), which runs the AD FS
// cmdlets on the shared state model (lib/host/image/adfs-state.ts) and records the call.
// So one AD FS model serves every fake, and what the tests check is this transport's own path:
// Node values -> CLR -> AddParameter -> PSObject output -> CLR -> Node, and error records.
//
// Build: mcs -target:library -out:System.Management.Automation.dll -r:System.Core.dll -r:Microsoft.CSharp.dll FakeSma.cs
using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Reflection;
using System.Threading.Tasks;

[assembly: AssemblyVersion("3.0.0.0")]

namespace System.Management.Automation
{
    public enum ErrorCategory
    {
        NotSpecified = 0, OpenError, CloseError, DeviceError, DeadlockDetected, InvalidArgument, InvalidData,
        InvalidOperation, InvalidResult, InvalidType, MetadataError, NotImplemented, NotInstalled, ObjectNotFound,
        OperationStopped, OperationTimeout, SyntaxError, ParserError, PermissionDenied, ResourceBusy, ResourceExists,
        ResourceUnavailable, ReadError, WriteError, FromStdErr, SecurityError, ProtocolError, ConnectionError,
        AuthenticationError, LimitsExceeded, QuotaExceeded, NotEnabled
    }

    public enum ActionPreference { SilentlyContinue = 0, Stop = 1, Continue = 2, Inquire = 3, Ignore = 4 }

    public class ErrorCategoryInfo
    {
        internal ErrorCategoryInfo(ErrorCategory category) { Category = category; }
        public ErrorCategory Category { get; private set; }
        public override string ToString() { return Category.ToString(); }
    }

    public class ErrorRecord
    {
        public ErrorRecord(Exception exception, string errorId, ErrorCategory errorCategory, object targetObject)
        {
            Exception = exception;
            FullyQualifiedErrorId = errorId;
            CategoryInfo = new ErrorCategoryInfo(errorCategory);
            TargetObject = targetObject;
        }
        public Exception Exception { get; private set; }
        public string FullyQualifiedErrorId { get; private set; }
        public ErrorCategoryInfo CategoryInfo { get; private set; }
        public object TargetObject { get; private set; }
        public override string ToString() { return Exception != null ? Exception.Message : FullyQualifiedErrorId; }
    }

    public class RuntimeException : SystemException
    {
        ErrorRecord record;
        public RuntimeException() : base() { }
        public RuntimeException(string message) : base(message) { }
        public RuntimeException(string message, Exception inner) : base(message, inner) { }
        public RuntimeException(string message, Exception inner, ErrorRecord errorRecord) : base(message, inner) { record = errorRecord; }
        public virtual ErrorRecord ErrorRecord
        {
            get { return record ?? (record = new ErrorRecord(this, "RuntimeException", ErrorCategory.NotSpecified, null)); }
        }
    }

    public class CommandNotFoundException : RuntimeException
    {
        public CommandNotFoundException(string message, ErrorRecord errorRecord) : base(message, null, errorRecord) { }
    }

    public abstract class PSMemberInfo
    {
        public abstract string Name { get; }
        public abstract object Value { get; set; }
    }

    public abstract class PSPropertyInfo : PSMemberInfo { }

    public class PSNoteProperty : PSPropertyInfo
    {
        readonly string name;
        object value;
        public PSNoteProperty(string name, object value) { this.name = name; this.value = value; }
        public override string Name { get { return name; } }
        public override object Value { get { return value; } set { this.value = value; } }
    }

    class PSReflectedProperty : PSPropertyInfo
    {
        readonly PropertyInfo info;
        readonly object target;
        public PSReflectedProperty(PropertyInfo info, object target) { this.info = info; this.target = target; }
        public override string Name { get { return info.Name; } }
        public override object Value { get { return info.GetValue(target, null); } set { info.SetValue(target, value, null); } }
    }

    public class PSMemberInfoCollection<T> : IEnumerable<T> where T : PSMemberInfo
    {
        readonly List<T> items = new List<T>();
        public void Add(T item) { items.Add(item); }
        public T this[string name] { get { return items.Find(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase)); } }
        public IEnumerator<T> GetEnumerator() { return items.GetEnumerator(); }
        IEnumerator IEnumerable.GetEnumerator() { return items.GetEnumerator(); }
    }

    /// <summary>PSCustomObject stands for the base object of objects made of note properties.</summary>
    public class PSCustomObject { }

    public class PSObject
    {
        readonly PSMemberInfoCollection<PSPropertyInfo> properties = new PSMemberInfoCollection<PSPropertyInfo>();
        public PSObject() { BaseObject = new PSCustomObject(); }
        public PSObject(object obj)
        {
            BaseObject = obj;
            if (obj == null) return;
            foreach (var p in obj.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (p.GetIndexParameters().Length == 0) properties.Add(new PSReflectedProperty(p, obj));
            }
        }
        public object BaseObject { get; private set; }
        public PSMemberInfoCollection<PSPropertyInfo> Properties { get { return properties; } }
        public static PSObject AsPSObject(object obj) { return obj as PSObject ?? new PSObject(obj); }
    }

    public class PSDataCollection<T> : Collection<T> { }

    public class PSDataStreams
    {
        readonly PSDataCollection<ErrorRecord> error = new PSDataCollection<ErrorRecord>();
        public PSDataCollection<ErrorRecord> Error { get { return error; } }
    }

    public sealed class PowerShell : IDisposable
    {
        string command;
        readonly Dictionary<string, object> parameters = new Dictionary<string, object>();
        readonly PSDataStreams streams = new PSDataStreams();
        PowerShell() { }
        public static PowerShell Create() { return new PowerShell(); }
        public Runspaces.Runspace Runspace { get; set; }
        public PSDataStreams Streams { get { return streams; } }
        public bool HadErrors { get { return streams.Error.Count > 0; } }

        public PowerShell AddCommand(string cmdlet)
        {
            if (command != null) throw new InvalidOperationException("the fake runs one command per PowerShell instance");
            command = cmdlet;
            return this;
        }

        public PowerShell AddParameter(string parameterName, object value) { parameters[parameterName] = value; return this; }
        public PowerShell AddParameter(string parameterName) { parameters[parameterName] = true; return this; }

        public Collection<PSObject> Invoke()
        {
            if (Runspace == null || !Runspace.IsOpen) throw new InvalidOperationException("no open runspace");
            var request = new Dictionary<string, object>();
            request["command"] = command;
            request["parameters"] = ToNode(parameters);
            var response = (IDictionary<string, object>)MfaUpgrade.Fakes.FakeAdfsBackend.Call(request);
            var results = new Collection<PSObject>();
            if (true.Equals(response["ok"]))
            {
                object output;
                response.TryGetValue("output", out output);
                var items = output as object[] ?? new object[0];
                foreach (var item in items) results.Add(Wrap(item));
                return results;
            }
            var e = (IDictionary<string, object>)response["error"];
            var message = e["message"] as string;
            var id = e.ContainsKey("fullyQualifiedErrorId") ? e["fullyQualifiedErrorId"] as string : "RuntimeException";
            ErrorCategory category = ErrorCategory.NotSpecified;
            if (e.ContainsKey("category") && e["category"] is string) Enum.TryParse((string)e["category"], out category);
            var target = e.ContainsKey("targetObject") ? e["targetObject"] : null;
            var exception = new RuntimeException(message);
            var record = new ErrorRecord(exception, id, category, target);
            if (id != null && id.StartsWith("CommandNotFoundException")) throw new CommandNotFoundException(message, record);
            if (e.ContainsKey("nonTerminating") && true.Equals(e["nonTerminating"])) { streams.Error.Add(record); return results; }
            throw new RuntimeException(message, exception, record);
        }

        // CLR parameter values as Node receives them through edge-js.
        static object ToNode(object v)
        {
            if (v == null || v is string || v is bool || v is int || v is double) return v;
            var table = v as Hashtable;
            if (table != null)
            {
                var d = new Dictionary<string, object>();
                foreach (DictionaryEntry kv in table) d[kv.Key.ToString()] = ToNode(kv.Value);
                return d;
            }
            var strings = v as string[];
            if (strings != null) return strings;
            var dict = v as IDictionary<string, object>;
            if (dict != null)
            {
                var d = new Dictionary<string, object>();
                foreach (var kv in dict) d[kv.Key] = ToNode(kv.Value);
                return d;
            }
            var seq = v as IEnumerable;
            if (seq != null)
            {
                var list = new List<object>();
                foreach (var item in seq) list.Add(ToNode(item));
                return list.ToArray();
            }
            return v.ToString();
        }

        // Node output objects become what cmdlets emit: PSObjects made of note properties.
        static PSObject Wrap(object item)
        {
            var d = item as IDictionary<string, object>;
            if (d == null) return PSObject.AsPSObject(item);
            var pso = new PSObject();
            foreach (var kv in d) pso.Properties.Add(new PSNoteProperty(kv.Key, WrapValue(kv.Value)));
            return pso;
        }

        static object WrapValue(object v)
        {
            if (v is IDictionary<string, object>) return Wrap(v);
            var arr = v as object[];
            if (arr != null)
            {
                var items = new object[arr.Length];
                for (var i = 0; i < arr.Length; i++) items[i] = WrapValue(arr[i]);
                return items;
            }
            return v;
        }

        public void Dispose() { }
    }
}

namespace System.Management.Automation.Runspaces
{
    public class Runspace : IDisposable
    {
        internal Runspace() { }
        public bool IsOpen { get; private set; }
        public void Open() { IsOpen = true; }
        public void Close() { IsOpen = false; }
        public void Dispose() { IsOpen = false; }
    }

    public static class RunspaceFactory
    {
        public static Runspace CreateRunspace() { return new Runspace(); }
    }
}

namespace MfaUpgrade.Fakes
{
    /// <summary>Where the fake runspace sends each command: a Node function attached through edge-js.</summary>
    public class FakeAdfsBackend
    {
        static Func<object, Task<object>> handler;

        /// <summary>edge-js entry: input.handler is a Node function (request, callback).</summary>
        public Task<object> Attach(object input)
        {
            var d = (IDictionary<string, object>)input;
            handler = (Func<object, Task<object>>)d["handler"];
            return Task.FromResult((object)Environment.Version.ToString());
        }

        internal static object Call(IDictionary<string, object> request)
        {
            if (handler == null) throw new InvalidOperationException("no fake AD FS backend attached (call FakeAdfsBackend.Attach first)");
            // The runspace host runs commands off Node's thread (Task.Run), so waiting here lets Node
            // run the handler; waiting on Node's own thread would deadlock.
            return handler(request).Result;
        }
    }
}
