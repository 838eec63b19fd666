// Files: atomic replace that keeps the target's ACL (ReplaceFileW), moves, and protecting a path
// so only Administrators and SYSTEM can read it; reading and setting a DACL as SDDL (used by the
// tests and by anyone checking what protect did).
//
// JS: replaceFile(target, replacement)   -> undefined  (both must exist, on one volume)
//     moveFile(from, to)                  -> undefined  (MOVEFILE_REPLACE_EXISTING | WRITE_THROUGH)
//     protectPath(path)                   -> undefined
//     getDacl(path)                       -> string (SDDL of the DACL)
//     setDacl(path, sddl)                 -> undefined
#include "common.h"

#include <aclapi.h>
#include <sddl.h>

namespace mfa {
namespace {

Napi::Value JsReplaceFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring target = StringArg(info, 0, "target path");
  std::wstring replacement = StringArg(info, 1, "replacement path");
  // The replaced file's ACL, attributes and streams stay; the replacement's bytes come in. No
  // REPLACEFILE_IGNORE_ACL_ERRORS: a replace that cannot keep the ACL fails instead.
  if (!ReplaceFileW(target.c_str(), replacement.c_str(), nullptr, REPLACEFILE_IGNORE_MERGE_ERRORS, nullptr, nullptr)) {
    ThrowWin32(env, GetLastError(), "ReplaceFileW", Utf8(target));
  }
  return env.Undefined();
}

Napi::Value JsMoveFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring from = StringArg(info, 0, "source path");
  std::wstring to = StringArg(info, 1, "destination path");
  if (!MoveFileExW(from.c_str(), to.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    ThrowWin32(env, GetLastError(), "MoveFileExW", Utf8(to));
  }
  return env.Undefined();
}

class LocalMemory {
 public:
  ~LocalMemory() {
    if (p_) LocalFree(p_);
  }
  HLOCAL* out() { return &p_; }
  void* get() const { return p_; }

 private:
  HLOCAL p_ = nullptr;
};

Napi::Value JsProtectPath(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring path = StringArg(info, 0, "path");
  BYTE adminsSid[SECURITY_MAX_SID_SIZE];
  BYTE systemSid[SECURITY_MAX_SID_SIZE];
  DWORD size = sizeof adminsSid;
  if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, nullptr, adminsSid, &size)) ThrowWin32(env, GetLastError(), "CreateWellKnownSid", "BUILTIN\\Administrators");
  size = sizeof systemSid;
  if (!CreateWellKnownSid(WinLocalSystemSid, nullptr, systemSid, &size)) ThrowWin32(env, GetLastError(), "CreateWellKnownSid", "NT AUTHORITY\\SYSTEM");
  EXPLICIT_ACCESSW access[2] = {};
  PSID sids[2] = {adminsSid, systemSid};
  for (int i = 0; i < 2; ++i) {
    access[i].grfAccessPermissions = GENERIC_ALL;
    access[i].grfAccessMode = SET_ACCESS;
    access[i].grfInheritance = SUB_CONTAINERS_AND_OBJECTS_INHERIT;
    access[i].Trustee.TrusteeForm = TRUSTEE_IS_SID;
    access[i].Trustee.TrusteeType = i == 0 ? TRUSTEE_IS_WELL_KNOWN_GROUP : TRUSTEE_IS_USER;
    access[i].Trustee.ptstrName = static_cast<LPWSTR>(sids[i]);
  }
  LocalMemory acl;
  DWORD r = SetEntriesInAclW(2, access, nullptr, reinterpret_cast<PACL*>(acl.out()));
  if (r != ERROR_SUCCESS) ThrowWin32(env, r, "SetEntriesInAclW", Utf8(path));
  // PROTECTED: nothing inherited from the parent stays; the two entries flow down to the children.
  r = SetNamedSecurityInfoW(&path[0], SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, nullptr, nullptr,
                            static_cast<PACL>(acl.get()), nullptr);
  if (r != ERROR_SUCCESS) ThrowWin32(env, r, "SetNamedSecurityInfoW", Utf8(path));
  return env.Undefined();
}

Napi::Value JsGetDacl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring path = StringArg(info, 0, "path");
  LocalMemory descriptor;
  PACL dacl = nullptr;
  DWORD r = GetNamedSecurityInfoW(path.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr, &dacl, nullptr,
                                  reinterpret_cast<PSECURITY_DESCRIPTOR*>(descriptor.out()));
  if (r != ERROR_SUCCESS) ThrowWin32(env, r, "GetNamedSecurityInfoW", Utf8(path));
  LPWSTR text = nullptr;
  if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor.get(), SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &text, nullptr)) {
    ThrowWin32(env, GetLastError(), "ConvertSecurityDescriptorToStringSecurityDescriptorW", Utf8(path));
  }
  std::wstring sddl(text);
  LocalFree(text);
  return JsString(env, sddl);
}

Napi::Value JsSetDacl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring path = StringArg(info, 0, "path");
  std::wstring sddl = StringArg(info, 1, "SDDL");
  LocalMemory descriptor;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, reinterpret_cast<PSECURITY_DESCRIPTOR*>(descriptor.out()), nullptr)) {
    ThrowWin32(env, GetLastError(), "ConvertStringSecurityDescriptorToSecurityDescriptorW", Utf8(sddl));
  }
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  if (!GetSecurityDescriptorDacl(descriptor.get(), &present, &dacl, &defaulted)) ThrowWin32(env, GetLastError(), "GetSecurityDescriptorDacl", Utf8(sddl));
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  DWORD revision = 0;
  GetSecurityDescriptorControl(descriptor.get(), &control, &revision);
  SECURITY_INFORMATION what = DACL_SECURITY_INFORMATION |
                              ((control & SE_DACL_PROTECTED) ? PROTECTED_DACL_SECURITY_INFORMATION : UNPROTECTED_DACL_SECURITY_INFORMATION);
  DWORD r = SetNamedSecurityInfoW(&path[0], SE_FILE_OBJECT, what, nullptr, nullptr, dacl, nullptr);
  if (r != ERROR_SUCCESS) ThrowWin32(env, r, "SetNamedSecurityInfoW", Utf8(path));
  return env.Undefined();
}

}  // namespace

void InitFiles(Napi::Env env, Napi::Object exports) {
  exports.Set("replaceFile", Napi::Function::New(env, JsReplaceFile, "replaceFile"));
  exports.Set("moveFile", Napi::Function::New(env, JsMoveFile, "moveFile"));
  exports.Set("protectPath", Napi::Function::New(env, JsProtectPath, "protectPath"));
  exports.Set("getDacl", Napi::Function::New(env, JsGetDacl, "getDacl"));
  exports.Set("setDacl", Napi::Function::New(env, JsSetDacl, "setDacl"));
}

}  // namespace mfa
