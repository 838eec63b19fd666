// About the running process: whether it runs elevated as an administrator, whether it runs under
// Wine, and where a module it has loaded came from (the tests check msi.dll came from System32).
//
// JS: isAdministrator()      -> boolean
//     wineVersion()          -> string | undefined (set when running under Wine: tests say what Wine lacks)
//     loadedModule(name)     -> string | undefined (full path of a loaded module, e.g. "msi.dll")
//     systemDirectory()      -> string (System32 as GetSystemDirectoryW gives it)
//     currentUserSid()       -> string (the process token's user, "S-1-5-21-...")
#include "common.h"

#include <sddl.h>

namespace mfa {
namespace {

Napi::Value IsAdministrator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<BYTE> sid;
  DWORD error = 0;
  if (!AccountSid(Account::Administrators, &sid, &error)) ThrowWin32(env, error, "CreateWellKnownSid", "BUILTIN\\Administrators");
  BOOL member = FALSE;
  // With a null token, the calling thread's effective token: a filtered (not elevated) token has
  // the group for deny only, which reads as not a member.
  if (!CheckTokenMembership(nullptr, sid.data(), &member)) {
    DWORD e = GetLastError();
    ThrowWin32(env, e, "CheckTokenMembership", "BUILTIN\\Administrators");
  }
  return Napi::Boolean::New(env, member != FALSE);
}

Napi::Value WineVersion(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  if (!ntdll) return env.Undefined();
  using GetVersion = const char*(__cdecl*)();
  auto get = reinterpret_cast<GetVersion>(reinterpret_cast<void*>(GetProcAddress(ntdll, "wine_get_version")));
  if (!get) return env.Undefined();
  return Napi::String::New(env, std::string("Wine ") + get());
}

Napi::Value LoadedModule(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring name = StringArg(info, 0, "module name");
  HMODULE module = GetModuleHandleW(name.c_str());
  if (!module) return env.Undefined();
  std::wstring path(MAX_PATH, L'\0');
  for (;;) {
    DWORD n = GetModuleFileNameW(module, &path[0], static_cast<DWORD>(path.size()));
    if (n == 0) {
      DWORD e = GetLastError();
      ThrowWin32(env, e, "GetModuleFileNameW", Utf8(name));
    }
    if (n < path.size()) {
      path.resize(n);
      return JsString(env, path);
    }
    path.resize(path.size() * 2);
  }
}

Napi::Value SystemDirectory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  wchar_t buffer[MAX_PATH + 1];
  UINT n = GetSystemDirectoryW(buffer, MAX_PATH + 1);
  if (n == 0 || n > MAX_PATH) {
    DWORD e = n == 0 ? GetLastError() : ERROR_INSUFFICIENT_BUFFER;
    ThrowWin32(env, e, "GetSystemDirectoryW", "System32");
  }
  return JsString(env, std::wstring(buffer, n));
}

Napi::Value CurrentUserSid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HANDLE raw = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw)) {
    DWORD e = GetLastError();
    ThrowWin32(env, e, "OpenProcessToken", "this process");
  }
  Handle token(raw);
  DWORD size = 0;
  GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
  DWORD e = GetLastError();
  if (e != ERROR_INSUFFICIENT_BUFFER) ThrowWin32(env, e, "GetTokenInformation", "TokenUser");
  std::vector<BYTE> buffer(size);
  if (!GetTokenInformation(token.get(), TokenUser, buffer.data(), size, &size)) {
    DWORD e2 = GetLastError();
    ThrowWin32(env, e2, "GetTokenInformation", "TokenUser");
  }
  LPWSTR text = nullptr;
  if (!ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, &text)) {
    DWORD e3 = GetLastError();
    ThrowWin32(env, e3, "ConvertSidToStringSidW", "TokenUser");
  }
  std::wstring sid(text);
  LocalFree(text);
  return JsString(env, sid);
}

}  // namespace

void InitSystem(Napi::Env env, Napi::Object exports) {
  exports.Set("isAdministrator", Napi::Function::New(env, IsAdministrator, "isAdministrator"));
  exports.Set("wineVersion", Napi::Function::New(env, WineVersion, "wineVersion"));
  exports.Set("loadedModule", Napi::Function::New(env, LoadedModule, "loadedModule"));
  exports.Set("currentUserSid", Napi::Function::New(env, CurrentUserSid, "currentUserSid"));
  exports.Set("systemDirectory", Napi::Function::New(env, SystemDirectory, "systemDirectory"));
}

}  // namespace mfa
