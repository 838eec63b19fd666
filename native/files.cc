// Files: atomic replace with a backup name (ReplaceFileW), moves, folders protected by handle,
// security descriptors read and written by handle (never following a reparse point), and free
// disk space (GetDiskFreeSpaceExW: Node 12 has no fs.statfs).
//
// JS: replaceFile(target, replacement, backup) -> undefined
//        ReplaceFileW without IGNORE_MERGE_ERRORS / IGNORE_ACL_ERRORS: a replace that cannot keep
//        the target's ACL fails. On failure the Error carries the Win32 code; what 1175/1176/1177
//        leave behind is handled in TypeScript (lib/host/windows/files.ts), as documented.
//     moveFile(from, to, replaceExisting)   -> undefined  (MOVEFILE_WRITE_THROUGH)
//     getSecurity(path) -> { owner: "S-1-5-...", dacl: "D:...", directory, reparsePoint }
//     setSecurity(path, sddl)               -> undefined  (owner and/or DACL as the SDDL gives them)
//     protectDirectory(path, trustedOwners) -> { created: boolean }
//        Creates the folder with owner Administrators and a protected DACL (Administrators and
//        SYSTEM, full control, inherited by everything below) in one call; or, when it exists,
//        opens it and everything below it without following reparse points, refuses a reparse
//        point or an owner outside trustedOwners (SID strings), and sets the same descriptor on
//        each handle (SetKernelObjectSecurity: no propagation walk that could follow a junction).
//     diskFreeSpace(path) -> { available, total, free } (bytes; available = to this caller)
#include "common.h"

#include <aclapi.h>
#include <sddl.h>

#ifndef ERROR_REPARSE_POINT_ENCOUNTERED
#define ERROR_REPARSE_POINT_ENCOUNTERED 4395L
#endif

namespace mfa {
namespace {

// Folders: the two entries flow down to files and subfolders; files get them without inheritance flags.
const wchar_t kProtectedFolder[] = L"O:BAD:P(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)";
const wchar_t kProtectedFile[] = L"O:BAD:P(A;;FA;;;BA)(A;;FA;;;SY)";

Napi::Value JsReplaceFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring target = StringArg(info, 0, "target path");
  std::wstring replacement = StringArg(info, 1, "replacement path");
  std::wstring backup = StringArg(info, 2, "backup path");
  // The replaced file's ACL, attributes and streams stay; the replacement's bytes come in; the
  // original is kept under the backup name until the caller removes it.
  if (!ReplaceFileW(target.c_str(), replacement.c_str(), backup.c_str(), 0, nullptr, nullptr)) {
    DWORD e = GetLastError();
    ThrowWin32(env, e, "ReplaceFileW", Utf8(target));
  }
  return env.Undefined();
}

Napi::Value JsMoveFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring from = StringArg(info, 0, "source path");
  std::wstring to = StringArg(info, 1, "destination path");
  if (info.Length() < 3 || !info[2].IsBoolean()) throw Napi::TypeError::New(env, "replaceExisting (argument 3) must be a boolean");
  DWORD flags = MOVEFILE_WRITE_THROUGH | (info[2].As<Napi::Boolean>().Value() ? MOVEFILE_REPLACE_EXISTING : 0);
  if (!MoveFileExW(from.c_str(), to.c_str(), flags)) {
    DWORD e = GetLastError();
    ThrowWin32(env, e, "MoveFileExW", Utf8(to));
  }
  return env.Undefined();
}

/** Opens a file or folder itself (a reparse point is opened, not followed). */
HANDLE OpenNoFollow(const std::wstring& path, DWORD access) {
  return CreateFileW(path.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                     FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
}

std::wstring SidString(PSID sid) {
  LPWSTR text = nullptr;
  if (!sid || !ConvertSidToStringSidW(sid, &text)) return std::wstring();
  std::wstring out(text);
  LocalFree(text);
  return out;
}

struct Security {
  std::wstring owner;
  std::wstring dacl;
};

/** Owner (SID string) and DACL (SDDL) of an open handle; false with *error set otherwise. */
bool ReadSecurity(HANDLE handle, Security* out, DWORD* error) {
  LocalMemory descriptor;
  PSID owner = nullptr;
  PACL dacl = nullptr;
  DWORD r = GetSecurityInfo(handle, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner, nullptr, &dacl, nullptr,
                            reinterpret_cast<PSECURITY_DESCRIPTOR*>(descriptor.out()));
  if (r != ERROR_SUCCESS) {
    *error = r;
    return false;
  }
  LPWSTR text = nullptr;
  if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor.get(), SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &text, nullptr)) {
    *error = GetLastError();
    return false;
  }
  out->dacl = text;
  LocalFree(text);
  out->owner = SidString(owner);
  return true;
}

Napi::Value JsGetSecurity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring path = StringArg(info, 0, "path");
  Handle handle(OpenNoFollow(path, READ_CONTROL | FILE_READ_ATTRIBUTES));
  if (!handle) {
    DWORD e = GetLastError();
    ThrowWin32(env, e, "CreateFileW", Utf8(path));
  }
  BY_HANDLE_FILE_INFORMATION file{};
  if (!GetFileInformationByHandle(handle.get(), &file)) {
    DWORD e = GetLastError();
    ThrowWin32(env, e, "GetFileInformationByHandle", Utf8(path));
  }
  Security s;
  DWORD error = 0;
  if (!ReadSecurity(handle.get(), &s, &error)) ThrowWin32(env, error, "GetSecurityInfo", Utf8(path));
  Napi::Object o = Napi::Object::New(env);
  o.Set("owner", JsString(env, s.owner));
  o.Set("dacl", JsString(env, s.dacl));
  o.Set("directory", Napi::Boolean::New(env, (file.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0));
  o.Set("reparsePoint", Napi::Boolean::New(env, (file.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0));
  return o;
}

/** A self-relative descriptor from SDDL; false with *error set otherwise. */
bool ParseSddl(const wchar_t* sddl, LocalMemory* descriptor, DWORD* error) {
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, reinterpret_cast<PSECURITY_DESCRIPTOR*>(descriptor->out()), nullptr)) {
    *error = GetLastError();
    return false;
  }
  return true;
}

/** What parts of a parsed descriptor are present, as SECURITY_INFORMATION flags to set. */
SECURITY_INFORMATION PartsOf(PSECURITY_DESCRIPTOR sd) {
  SECURITY_INFORMATION what = 0;
  PSID owner = nullptr;
  BOOL defaulted = FALSE;
  if (GetSecurityDescriptorOwner(sd, &owner, &defaulted) && owner) what |= OWNER_SECURITY_INFORMATION;
  BOOL present = FALSE;
  PACL dacl = nullptr;
  if (GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) && present) {
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    GetSecurityDescriptorControl(sd, &control, &revision);
    what |= DACL_SECURITY_INFORMATION | ((control & SE_DACL_PROTECTED) ? PROTECTED_DACL_SECURITY_INFORMATION : UNPROTECTED_DACL_SECURITY_INFORMATION);
  }
  return what;
}

Napi::Value JsSetSecurity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring path = StringArg(info, 0, "path");
  std::wstring sddl = StringArg(info, 1, "SDDL");
  LocalMemory descriptor;
  DWORD error = 0;
  if (!ParseSddl(sddl.c_str(), &descriptor, &error)) ThrowWin32(env, error, "ConvertStringSecurityDescriptorToSecurityDescriptorW", Utf8(sddl));
  SECURITY_INFORMATION what = PartsOf(descriptor.get());
  if (what == 0) throw Napi::TypeError::New(env, "SDDL (argument 2) must hold an owner (O:) or a DACL (D:)");
  Handle handle(OpenNoFollow(path, READ_CONTROL | WRITE_DAC | WRITE_OWNER));
  if (!handle) {
    DWORD e = GetLastError();
    ThrowWin32(env, e, "CreateFileW", Utf8(path));
  }
  if (!SetKernelObjectSecurity(handle.get(), what, descriptor.get())) {
    DWORD e = GetLastError();
    ThrowWin32(env, e, "SetKernelObjectSecurity", Utf8(path));
  }
  return env.Undefined();
}

// ---- protectDirectory ----

class Protector {
 public:
  Protector(Napi::Env env, std::vector<std::wstring> trustedOwners) : env_(env), trusted_(std::move(trustedOwners)) {}

  /** Sets the protected descriptor on an open handle after checking what it is and who owns it. */
  void Apply(HANDLE handle, const std::wstring& path, bool top) {
    BY_HANDLE_FILE_INFORMATION file{};
    if (!GetFileInformationByHandle(handle, &file)) {
      DWORD e = GetLastError();
      ThrowWin32(env_, e, "GetFileInformationByHandle", Utf8(path));
    }
    if (file.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) {
      // A junction or symbolic link here could point the new descriptor at any tree.
      ThrowWin32(env_, ERROR_REPARSE_POINT_ENCOUNTERED, "protect", Utf8(path) + " (a junction or link: refused)");
    }
    bool directory = (file.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    if (top && !directory) ThrowWin32(env_, ERROR_DIRECTORY, "protect", Utf8(path) + " (not a folder)");
    Security s;
    DWORD error = 0;
    if (!ReadSecurity(handle, &s, &error)) ThrowWin32(env_, error, "GetSecurityInfo", Utf8(path));
    if (!Trusted(s.owner)) {
      // The owner keeps WRITE_DAC whatever the DACL says: a folder someone else made is not ours to protect.
      ThrowWin32(env_, ERROR_INVALID_OWNER, "protect", Utf8(path) + " (owned by " + Utf8(s.owner) + ", not by Administrators, SYSTEM or this account)");
    }
    LocalMemory descriptor;
    if (!ParseSddl(directory ? kProtectedFolder : kProtectedFile, &descriptor, &error)) ThrowWin32(env_, error, "ConvertStringSecurityDescriptorToSecurityDescriptorW", Utf8(path));
    SECURITY_INFORMATION what = OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION;
    if (!SetKernelObjectSecurity(handle, what, descriptor.get())) {
      DWORD e = GetLastError();
      ThrowWin32(env_, e, "SetKernelObjectSecurity", Utf8(path));
    }
    if (directory) Children(path);
  }

 private:
  bool Trusted(const std::wstring& owner) const {
    for (const std::wstring& t : trusted_) {
      if (_wcsicmp(t.c_str(), owner.c_str()) == 0) return true;
    }
    return false;
  }

  void Children(const std::wstring& folder) {
    WIN32_FIND_DATAW found{};
    std::wstring pattern = folder + L"\\*";
    HANDLE search = FindFirstFileExW(pattern.c_str(), FindExInfoBasic, &found, FindExSearchNameMatch, nullptr, 0);
    if (search == INVALID_HANDLE_VALUE) {
      DWORD e = GetLastError();
      if (e == ERROR_FILE_NOT_FOUND || e == ERROR_NO_MORE_FILES) return;
      ThrowWin32(env_, e, "FindFirstFileExW", Utf8(folder));
    }
    std::vector<std::wstring> names;
    do {
      if (wcscmp(found.cFileName, L".") != 0 && wcscmp(found.cFileName, L"..") != 0) names.emplace_back(found.cFileName);
    } while (FindNextFileW(search, &found));
    DWORD e = GetLastError();
    FindClose(search);
    if (e != ERROR_NO_MORE_FILES) ThrowWin32(env_, e, "FindNextFileW", Utf8(folder));
    for (const std::wstring& name : names) {
      std::wstring path = folder + L"\\" + name;
      // What is opened is checked: a child swapped for a junction after the listing is seen here.
      Handle child(OpenNoFollow(path, READ_CONTROL | WRITE_DAC | WRITE_OWNER | FILE_READ_ATTRIBUTES));
      if (!child) {
        DWORD openError = GetLastError();
        ThrowWin32(env_, openError, "CreateFileW", Utf8(path));
      }
      Apply(child.get(), path, false);
    }
  }

  Napi::Env env_;
  std::vector<std::wstring> trusted_;
};

Napi::Value JsProtectDirectory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring path = StringArg(info, 0, "path");
  if (info.Length() < 2 || !info[1].IsArray()) throw Napi::TypeError::New(env, "trusted owners (argument 2) must be an array of SID strings");
  Napi::Array list = info[1].As<Napi::Array>();
  std::vector<std::wstring> trusted;
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value v = list.Get(i);
    if (!v.IsString()) throw Napi::TypeError::New(env, "trusted owners (argument 2) must be an array of SID strings");
    std::u16string u = v.As<Napi::String>().Utf16Value();
    trusted.emplace_back(u.begin(), u.end());
  }
  LocalMemory descriptor;
  DWORD error = 0;
  if (!ParseSddl(kProtectedFolder, &descriptor, &error)) ThrowWin32(env, error, "ConvertStringSecurityDescriptorToSecurityDescriptorW", Utf8(path));
  SECURITY_ATTRIBUTES attributes{sizeof(SECURITY_ATTRIBUTES), descriptor.get(), FALSE};
  Napi::Object out = Napi::Object::New(env);
  if (CreateDirectoryW(path.c_str(), &attributes)) {
    // Born protected: nobody else ever had a handle on it.
    out.Set("created", Napi::Boolean::New(env, true));
    return out;
  }
  DWORD e = GetLastError();
  if (e != ERROR_ALREADY_EXISTS) ThrowWin32(env, e, "CreateDirectoryW", Utf8(path));
  Handle handle(OpenNoFollow(path, READ_CONTROL | WRITE_DAC | WRITE_OWNER | FILE_READ_ATTRIBUTES));
  if (!handle) {
    DWORD openError = GetLastError();
    ThrowWin32(env, openError, "CreateFileW", Utf8(path));
  }
  Protector(env, std::move(trusted)).Apply(handle.get(), path, true);
  out.Set("created", Napi::Boolean::New(env, false));
  return out;
}

Napi::Value JsDiskFreeSpace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring path = StringArg(info, 0, "path");
  ULARGE_INTEGER available{}, total{}, free{};
  if (!GetDiskFreeSpaceExW(path.c_str(), &available, &total, &free)) {
    DWORD e = GetLastError();
    ThrowWin32(env, e, "GetDiskFreeSpaceExW", Utf8(path));
  }
  Napi::Object o = Napi::Object::New(env);
  // Exact below 2^53 bytes (8 PiB), which no volume here reaches.
  o.Set("available", Napi::Number::New(env, static_cast<double>(available.QuadPart)));
  o.Set("total", Napi::Number::New(env, static_cast<double>(total.QuadPart)));
  o.Set("free", Napi::Number::New(env, static_cast<double>(free.QuadPart)));
  return o;
}

}  // namespace

void InitFiles(Napi::Env env, Napi::Object exports) {
  exports.Set("replaceFile", Napi::Function::New(env, JsReplaceFile, "replaceFile"));
  exports.Set("moveFile", Napi::Function::New(env, JsMoveFile, "moveFile"));
  exports.Set("getSecurity", Napi::Function::New(env, JsGetSecurity, "getSecurity"));
  exports.Set("setSecurity", Napi::Function::New(env, JsSetSecurity, "setSecurity"));
  exports.Set("protectDirectory", Napi::Function::New(env, JsProtectDirectory, "protectDirectory"));
  exports.Set("diskFreeSpace", Napi::Function::New(env, JsDiskFreeSpace, "diskFreeSpace"));
}

}  // namespace mfa
