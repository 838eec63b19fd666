// About the running process: whether it runs elevated as an administrator.
//
// JS: isAdministrator() -> boolean
//     wineVersion()     -> string | undefined (set when running under Wine: tests say what Wine lacks)
#include "common.h"

namespace mfa {
namespace {

Napi::Value IsAdministrator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  BYTE sid[SECURITY_MAX_SID_SIZE];
  DWORD size = sizeof sid;
  if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, nullptr, sid, &size)) ThrowWin32(env, GetLastError(), "CreateWellKnownSid", "BUILTIN\\Administrators");
  BOOL member = FALSE;
  // With a null token, the calling thread's effective token: a filtered (not elevated) token has
  // the group for deny only, which reads as not a member.
  if (!CheckTokenMembership(nullptr, sid, &member)) ThrowWin32(env, GetLastError(), "CheckTokenMembership", "BUILTIN\\Administrators");
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

}  // namespace

void InitSystem(Napi::Env env, Napi::Object exports) {
  exports.Set("isAdministrator", Napi::Function::New(env, IsAdministrator, "isAdministrator"));
  exports.Set("wineVersion", Napi::Function::New(env, WineVersion, "wineVersion"));
}

}  // namespace mfa
