// The child-process protocol between Node and powershell.exe (docs/adfs.md, "The PowerShell
// port"). One process per call:
//
//   powershell.exe -NoProfile -NonInteractive -NoLogo -ExecutionPolicy Bypass -EncodedCommand <RUNNER>
//   stdin:  one JSON request  {"op":"invoke","command":"Get-AdfsAuthenticationProvider","parameters":{"Name":"X"}}
//                          or {"op":"hasCommand","command":"Get-AdfsAuthenticationProvider"}
//   stdout: anything the cmdlet's host writes, then the marker line and one JSON response:
//           <<<MFA-UPGRADE-RESULT>>>{"ok":true,"output":[...]}
//           <<<MFA-UPGRADE-RESULT>>>{"ok":false,"error":{"message":..,"fullyQualifiedErrorId":..,"category":..,"targetObject":..,"exceptionType":..}}
//   exit:   0 ok, 1 the cmdlet failed (error record in the response); anything else, or no marker,
//           is a failure of PowerShell itself (stderr kept).
//
// The runner is fixed (it never contains the request), so nothing in a parameter value is ever
// parsed as PowerShell: values arrive as JSON data and are splatted.
export const RESULT_MARKER = '<<<MFA-UPGRADE-RESULT>>>';

export interface PowerShellRequest {
  op: 'invoke' | 'hasCommand';
  command: string;
  parameters?: Record<string, unknown>;
}

export type PowerShellResponse =
  | { ok: true; output?: unknown; exists?: boolean }
  | { ok: false; error: Record<string, unknown> };

/**
 * The PowerShell the child runs (Windows PowerShell 5.1 and PowerShell 7 alike). JSON objects in
 * the parameters become hashtables, arrays become arrays (string arrays typed [string[]]), so
 * splatting binds them as a script would. Output objects are converted with ConvertTo-Json
 * -Depth 8; enums come out as their names.
 */
export const RUNNER_SCRIPT = String.raw`
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'
$marker = '${RESULT_MARKER}'
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding($false)
[Console]::InputEncoding = New-Object System.Text.UTF8Encoding($false)
function ConvertTo-MfaValue($v) {
  if ($null -eq $v) { return $null }
  if ($v -is [System.Management.Automation.PSCustomObject]) {
    $h = @{}
    foreach ($p in $v.PSObject.Properties) { $h[$p.Name] = ConvertTo-MfaValue $p.Value }
    return $h
  }
  if ($v -is [System.Array]) {
    $items = @($v | ForEach-Object { ConvertTo-MfaValue $_ })
    if ($items.Count -gt 0 -and @($items | Where-Object { $_ -isnot [string] }).Count -eq 0) { return ,([string[]]$items) }
    return ,$items
  }
  return $v
}
function Write-MfaResult($r) {
  $json = ConvertTo-Json -InputObject $r -Depth 8 -Compress
  [Console]::Out.Write([Environment]::NewLine + $marker + $json + [Environment]::NewLine)
  [Console]::Out.Flush()
}
try {
  $request = [Console]::In.ReadToEnd() | ConvertFrom-Json
  if ($request.op -eq 'hasCommand') {
    $found = Get-Command -Name $request.command -ErrorAction SilentlyContinue
    Write-MfaResult @{ ok = $true; exists = [bool]$found }
    exit 0
  }
  $params = @{}
  if ($null -ne $request.parameters) {
    foreach ($p in $request.parameters.PSObject.Properties) { $params[$p.Name] = ConvertTo-MfaValue $p.Value }
  }
  $output = @(& $request.command @params | ForEach-Object {
    if ($_ -is [Enum]) { $_.ToString() } else { $_ }
  })
  Write-MfaResult @{ ok = $true; output = $output }
  exit 0
} catch {
  $e = $_
  $target = $null
  if ($null -ne $e.TargetObject) { $target = [string]$e.TargetObject }
  Write-MfaResult @{ ok = $false; error = @{
    message = $e.Exception.Message
    fullyQualifiedErrorId = $e.FullyQualifiedErrorId
    category = $e.CategoryInfo.Category.ToString()
    targetObject = $target
    exceptionType = $e.Exception.GetType().FullName
  } }
  exit 1
}
`;

/** -EncodedCommand takes base64 of the UTF-16LE script. */
export function encodedRunner(): string {
  return Buffer.from(RUNNER_SCRIPT, 'utf16le').toString('base64');
}

export const CHILD_ARGS = ['-NoProfile', '-NonInteractive', '-NoLogo', '-ExecutionPolicy', 'Bypass', '-EncodedCommand'];

/** Finds the response after the last marker in the child's stdout; undefined when absent or not JSON. */
export function parseResponse(stdout: string): PowerShellResponse | undefined {
  const at = stdout.lastIndexOf(RESULT_MARKER);
  if (at === -1) return undefined;
  const line = stdout.slice(at + RESULT_MARKER.length).split(/\r?\n/)[0] ?? '';
  try {
    const data = JSON.parse(line) as unknown;
    if (typeof data === 'object' && data !== null && typeof (data as { ok?: unknown }).ok === 'boolean') return data as PowerShellResponse;
  } catch {
    return undefined;
  }
  return undefined;
}

/** ConvertTo-Json writes a single output object unwrapped, and $null for none: back to an array. */
export function outputArray(output: unknown): unknown[] {
  if (output === undefined || output === null) return [];
  return Array.isArray(output) ? output : [output];
}
