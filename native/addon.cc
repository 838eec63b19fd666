// Entry point of the mfa-upgrade native addon. Each area registers its functions from its own
// source file: registry.cc, msi.cc, services.cc, files.cc, system.cc.
#include "common.h"

#if defined(__MINGW32__)
// The Node-API functions are imported from node.exe through a delay-load import library (made
// from node-api-headers' def/node_api.def by dlltool -y). Resolving "node.exe" to the running
// executable keeps the addon working in a renamed node.exe, such as a single executable
// application; MSVC builds get the same from node-gyp's win_delay_load_hook.cc.
#include <delayimp.h>
#include <string.h>

static FARPROC WINAPI LoadHostHook(unsigned int event, PDelayLoadInfo info) {
  if (event != dliNotePreLoadLibrary) return nullptr;
  if (_stricmp(info->szDll, "node.exe") != 0) return nullptr;
  return reinterpret_cast<FARPROC>(GetModuleHandleW(nullptr));
}
extern "C" {
PfnDliHook __pfnDliNotifyHook2 = LoadHostHook;
}
#endif

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  mfa::InitRegistry(env, exports);
  mfa::InitMsi(env, exports);
  mfa::InitServices(env, exports);
  mfa::InitFiles(env, exports);
  mfa::InitSystem(env, exports);
  exports.Set("abi", Napi::Number::New(env, 2));
  return exports;
}

NODE_API_MODULE(mfa_upgrade, Init)
