// Shared helpers for the addon: UTF-8/UTF-16 conversion, argument checks that throw TypeError,
// and Win32 failures turned into JS errors that carry { code, api, target }.
//
// The rule for error codes (everywhere in native/): GetLastError() is read into a local on the
// line right after the failing call, before anything that allocates or calls another API (a
// std::string temporary, a conversion, even argument evaluation order could change it).
#pragma once

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef UNICODE
#define UNICODE
#endif
#ifndef _UNICODE
#define _UNICODE
#endif
#include <windows.h>

#include <napi.h>

#include <string>
#include <vector>

namespace mfa {

std::wstring Wide(const std::string& utf8);
std::string Utf8(const wchar_t* text, size_t length);
std::string Utf8(const std::wstring& text);
Napi::String JsString(Napi::Env env, const std::wstring& text);

/** The system's message for a Win32 (or Windows Installer) error code, without the trailing newline. */
std::string Win32Message(DWORD code);

/**
 * A JS Error for a failed call: message "<api> failed for <target>: <system message> (<code>)",
 * with the properties code (number), api and target (strings).
 */
Napi::Error Win32Error(Napi::Env env, DWORD code, const std::string& api, const std::string& target);

/** Throws Win32Error (the addon is built with C++ exceptions: NAPI_CPP_EXCEPTIONS). */
[[noreturn]] void ThrowWin32(Napi::Env env, DWORD code, const std::string& api, const std::string& target);

/** A failure captured on a worker thread, thrown later on the JS thread. */
struct Failure {
  DWORD code = 0;
  std::string api;
  std::string target;
  bool failed() const { return code != 0 || !api.empty(); }
};

/**
 * An async worker whose failures reject with Win32Error instead of a bare message. Run() records
 * a failure with Fail() and may clear it again (a fallback that worked): the error is handed to
 * Napi::AsyncWorker only once Run() has returned, because AsyncWorker::SetError cannot be undone.
 */
class Worker : public Napi::AsyncWorker {
 public:
  explicit Worker(Napi::Env env, const char* name)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  virtual void Run() = 0;
  void Fail(DWORD code, const std::string& api, const std::string& target) { failure_ = {code, api, target}; }
  void ClearFailure() { failure_ = Failure(); }
  void Execute() final;
  void OnError(const Napi::Error& e) override;
  void OnOK() override;
  /** The value the promise resolves with (called on the JS thread). */
  virtual Napi::Value Result(Napi::Env env) { return env.Undefined(); }
  Napi::Promise::Deferred deferred_;
  Failure failure_;
};

// ---- argument checks: wrong types are TypeErrors, never a crash ----

/** A string argument without NUL characters (a NUL would silently cut a path or key short). */
std::wstring StringArg(const Napi::CallbackInfo& info, size_t index, const char* what);
/** A string, or null/undefined (returned as empty with present=false). */
std::wstring OptionalStringArg(const Napi::CallbackInfo& info, size_t index, const char* what, bool* present);
int32_t IntArg(const Napi::CallbackInfo& info, size_t index, const char* what);
Napi::Function FunctionArg(const Napi::CallbackInfo& info, size_t index, const char* what);
Napi::Buffer<uint8_t> BufferArg(const Napi::CallbackInfo& info, size_t index, const char* what);

// ---- well-known accounts ----

/** BUILTIN\Administrators, NT AUTHORITY\SYSTEM, NT SERVICE\TrustedInstaller. */
enum class Account { Administrators, System, TrustedInstaller };
/** The SID bytes of a well-known account (false with *error set when Windows cannot make it). */
bool AccountSid(Account account, std::vector<BYTE>* sid, DWORD* error);

/** An owned LocalAlloc'd pointer (security descriptors, ACLs, strings the API allocates). */
class LocalMemory {
 public:
  LocalMemory() = default;
  ~LocalMemory() {
    if (p_) LocalFree(p_);
  }
  LocalMemory(const LocalMemory&) = delete;
  LocalMemory& operator=(const LocalMemory&) = delete;
  HLOCAL* out() { return &p_; }
  void* get() const { return p_; }

 private:
  HLOCAL p_ = nullptr;
};

/** An owned kernel handle. */
class Handle {
 public:
  Handle() = default;
  explicit Handle(HANDLE h) : h_(h == INVALID_HANDLE_VALUE ? nullptr : h) {}
  ~Handle() {
    if (h_) CloseHandle(h_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  HANDLE get() const { return h_; }
  explicit operator bool() const { return h_ != nullptr; }

 private:
  HANDLE h_ = nullptr;
};

// ---- registration of each area's functions ----
void InitRegistry(Napi::Env env, Napi::Object exports);
void InitMsi(Napi::Env env, Napi::Object exports);
void InitServices(Napi::Env env, Napi::Object exports);
void InitFiles(Napi::Env env, Napi::Object exports);
void InitSystem(Napi::Env env, Napi::Object exports);

}  // namespace mfa
