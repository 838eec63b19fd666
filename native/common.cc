#include "common.h"

#include <sddl.h>

namespace mfa {

std::wstring Wide(const std::string& utf8) {
  if (utf8.empty()) return std::wstring();
  int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring out(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), &out[0], n);
  return out;
}

std::string Utf8(const wchar_t* text, size_t length) {
  if (length == 0) return std::string();
  int n = WideCharToMultiByte(CP_UTF8, 0, text, static_cast<int>(length), nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, text, static_cast<int>(length), &out[0], n, nullptr, nullptr);
  return out;
}

std::string Utf8(const std::wstring& text) { return Utf8(text.data(), text.size()); }

Napi::String JsString(Napi::Env env, const std::wstring& text) {
  return Napi::String::New(env, reinterpret_cast<const char16_t*>(text.data()), text.size());
}

std::string Win32Message(DWORD code) {
  wchar_t* buffer = nullptr;
  DWORD flags = FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS;
  DWORD n = FormatMessageW(flags, nullptr, code, 0, reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  if (n == 0 || buffer == nullptr) {
    // Windows Installer codes (1601-1650, 3010) live in msimsg.dll on some systems; say the number.
    return "Win32 error " + std::to_string(code);
  }
  std::wstring text(buffer, n);
  LocalFree(buffer);
  while (!text.empty() && (text.back() == L'\n' || text.back() == L'\r' || text.back() == L' ' || text.back() == L'.')) text.pop_back();
  return Utf8(text);
}

Napi::Error Win32Error(Napi::Env env, DWORD code, const std::string& api, const std::string& target) {
  std::string message = api + " failed";
  if (!target.empty()) message += " for " + target;
  message += ": " + Win32Message(code) + " (" + std::to_string(code) + ")";
  Napi::Error error = Napi::Error::New(env, message);
  error.Value().Set("code", Napi::Number::New(env, static_cast<double>(code)));
  error.Value().Set("api", Napi::String::New(env, api));
  error.Value().Set("target", Napi::String::New(env, target));
  return error;
}

void ThrowWin32(Napi::Env env, DWORD code, const std::string& api, const std::string& target) {
  throw Win32Error(env, code, api, target);
}

void Worker::Execute() {
  Run();
  if (failure_.failed()) SetError(failure_.api);
}

void Worker::OnError(const Napi::Error& e) {
  if (failure_.failed()) {
    deferred_.Reject(Win32Error(Env(), failure_.code, failure_.api, failure_.target).Value());
  } else {
    deferred_.Reject(e.Value());
  }
}

void Worker::OnOK() {
  Napi::Env env = Env();
  try {
    deferred_.Resolve(Result(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  }
}

bool AccountSid(Account account, std::vector<BYTE>* sid, DWORD* error) {
  if (account == Account::TrustedInstaller) {
    // NT SERVICE\TrustedInstaller has no WELL_KNOWN_SID_TYPE: its SID is fixed (a hash of the name).
    PSID parsed = nullptr;
    if (!ConvertStringSidToSidW(L"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464", &parsed)) {
      *error = GetLastError();
      return false;
    }
    DWORD length = GetLengthSid(parsed);
    sid->assign(static_cast<BYTE*>(parsed), static_cast<BYTE*>(parsed) + length);
    LocalFree(parsed);
    return true;
  }
  sid->assign(SECURITY_MAX_SID_SIZE, 0);
  DWORD size = SECURITY_MAX_SID_SIZE;
  WELL_KNOWN_SID_TYPE type = account == Account::Administrators ? WinBuiltinAdministratorsSid : WinLocalSystemSid;
  if (!CreateWellKnownSid(type, nullptr, sid->data(), &size)) {
    *error = GetLastError();
    return false;
  }
  sid->resize(size);
  return true;
}

static std::string ArgName(size_t index, const char* what) {
  return std::string(what) + " (argument " + std::to_string(index + 1) + ")";
}

std::wstring StringArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (info.Length() <= index || !info[index].IsString()) {
    throw Napi::TypeError::New(info.Env(), ArgName(index, what) + " must be a string");
  }
  std::u16string u = info[index].As<Napi::String>().Utf16Value();
  std::wstring out(u.begin(), u.end());
  if (out.find(L'\0') != std::wstring::npos) {
    throw Napi::TypeError::New(info.Env(), ArgName(index, what) + " must not contain NUL characters");
  }
  return out;
}

std::wstring OptionalStringArg(const Napi::CallbackInfo& info, size_t index, const char* what, bool* present) {
  if (info.Length() <= index || info[index].IsUndefined() || info[index].IsNull()) {
    *present = false;
    return std::wstring();
  }
  *present = true;
  return StringArg(info, index, what);
}

int32_t IntArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (info.Length() <= index || !info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), ArgName(index, what) + " must be a number");
  }
  double d = info[index].As<Napi::Number>().DoubleValue();
  if (d != d || d < -2147483648.0 || d > 2147483647.0 || static_cast<double>(static_cast<int32_t>(d)) != d) {
    throw Napi::TypeError::New(info.Env(), ArgName(index, what) + " must be a 32-bit integer");
  }
  return static_cast<int32_t>(d);
}

Napi::Function FunctionArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (info.Length() <= index || !info[index].IsFunction()) {
    throw Napi::TypeError::New(info.Env(), ArgName(index, what) + " must be a function");
  }
  return info[index].As<Napi::Function>();
}

Napi::Buffer<uint8_t> BufferArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (info.Length() <= index || !info[index].IsBuffer()) {
    throw Napi::TypeError::New(info.Env(), ArgName(index, what) + " must be a Buffer");
  }
  return info[index].As<Napi::Buffer<uint8_t>>();
}

}  // namespace mfa
