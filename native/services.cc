// Services: state and configuration, stop (running dependents first) and start, each waiting
// for the state with a deadline on a worker thread.
//
// JS: svcList()                     -> Array<{ name, displayName, state, startType, path, dependsOn? }>
//     svcGet(name)                  -> { ... } | undefined
//     svcStop(name, timeoutMs)      -> Promise<void>
//     svcStart(name, timeoutMs)     -> Promise<void>
// state: "stopped" | "start_pending" | "stop_pending" | "running" | "continue_pending" |
//        "pause_pending" | "paused"; startType: "boot" | "system" | "auto" | "manual" | "disabled".
#include "common.h"

#include <wchar.h>
#include <winsvc.h>

namespace mfa {
namespace {

class ScHandle {
 public:
  ScHandle() = default;
  explicit ScHandle(SC_HANDLE h) : h_(h) {}
  ~ScHandle() {
    if (h_) CloseServiceHandle(h_);
  }
  ScHandle(const ScHandle&) = delete;
  ScHandle& operator=(const ScHandle&) = delete;
  void reset(SC_HANDLE h) {
    if (h_) CloseServiceHandle(h_);
    h_ = h;
  }
  SC_HANDLE get() const { return h_; }

 private:
  SC_HANDLE h_ = nullptr;
};

const char* StateName(DWORD state) {
  switch (state) {
    case SERVICE_STOPPED: return "stopped";
    case SERVICE_START_PENDING: return "start_pending";
    case SERVICE_STOP_PENDING: return "stop_pending";
    case SERVICE_RUNNING: return "running";
    case SERVICE_CONTINUE_PENDING: return "continue_pending";
    case SERVICE_PAUSE_PENDING: return "pause_pending";
    case SERVICE_PAUSED: return "paused";
    default: return "stopped";
  }
}

const char* StartTypeName(DWORD type) {
  switch (type) {
    case SERVICE_BOOT_START: return "boot";
    case SERVICE_SYSTEM_START: return "system";
    case SERVICE_AUTO_START: return "auto";
    case SERVICE_DEMAND_START: return "manual";
    case SERVICE_DISABLED: return "disabled";
    default: return "manual";
  }
}

struct ServiceData {
  std::wstring name, displayName, path;
  std::vector<std::wstring> dependsOn;
  DWORD state = SERVICE_STOPPED;
  DWORD startType = SERVICE_DEMAND_START;
};

Napi::Object ServiceObject(Napi::Env env, const ServiceData& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", JsString(env, s.name));
  o.Set("displayName", JsString(env, s.displayName));
  o.Set("state", Napi::String::New(env, StateName(s.state)));
  o.Set("startType", Napi::String::New(env, StartTypeName(s.startType)));
  o.Set("path", JsString(env, s.path));
  if (!s.dependsOn.empty()) {
    Napi::Array deps = Napi::Array::New(env, s.dependsOn.size());
    for (uint32_t i = 0; i < s.dependsOn.size(); ++i) deps.Set(i, JsString(env, s.dependsOn[i]));
    o.Set("dependsOn", deps);
  }
  return o;
}

/** Start type and image path; false with *error set when the configuration cannot be read. */
bool ReadConfig(SC_HANDLE service, ServiceData* data, DWORD* error) {
  DWORD needed = 0;
  QueryServiceConfigW(service, nullptr, 0, &needed);
  DWORD e = GetLastError();
  if (e != ERROR_INSUFFICIENT_BUFFER) {
    *error = e;
    return false;
  }
  std::vector<BYTE> buffer(needed);
  auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
  if (!QueryServiceConfigW(service, config, needed, &needed)) {
    *error = GetLastError();
    return false;
  }
  data->startType = config->dwStartType;
  data->path = config->lpBinaryPathName ? config->lpBinaryPathName : L"";
  if (data->displayName.empty() && config->lpDisplayName) data->displayName = config->lpDisplayName;
  return true;
}

/**
 * What a service depends on (services only: load-order groups, written +Group, are left out): its
 * configuration's list, else the DependOnService value it is stored in.
 */
std::vector<std::wstring> Dependencies(SC_HANDLE manager, const std::wstring& service) {
  std::vector<std::wstring> out;
  ScHandle handle(OpenServiceW(manager, service.c_str(), SERVICE_QUERY_CONFIG));
  if (handle.get()) {
    DWORD size = 0;
    QueryServiceConfigW(handle.get(), nullptr, 0, &size);
    if (GetLastError() == ERROR_INSUFFICIENT_BUFFER) {
      std::vector<BYTE> config(size);
      auto* c = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(config.data());
      if (QueryServiceConfigW(handle.get(), c, size, &size) && c->lpDependencies) {
        for (const wchar_t* d = c->lpDependencies; *d; d += wcslen(d) + 1) {
          if (*d != SC_GROUP_IDENTIFIERW) out.emplace_back(d);
        }
      }
    }
  }
  if (!out.empty()) return out;
  // Wine's service control manager leaves lpDependencies empty.
  std::wstring key = L"SYSTEM\\CurrentControlSet\\Services\\" + service;
  DWORD bytes = 0;
  if (RegGetValueW(HKEY_LOCAL_MACHINE, key.c_str(), L"DependOnService", RRF_RT_REG_MULTI_SZ, nullptr, nullptr, &bytes) != ERROR_SUCCESS || bytes == 0) return out;
  std::vector<wchar_t> list(bytes / sizeof(wchar_t) + 2, L'\0');
  if (RegGetValueW(HKEY_LOCAL_MACHINE, key.c_str(), L"DependOnService", RRF_RT_REG_MULTI_SZ, nullptr, list.data(), &bytes) != ERROR_SUCCESS) return out;
  for (const wchar_t* d = list.data(); *d; d += wcslen(d) + 1) {
    if (*d != SC_GROUP_IDENTIFIERW) out.emplace_back(d);
  }
  return out;
}

SC_HANDLE OpenManager(DWORD access, DWORD* error) {
  SC_HANDLE h = OpenSCManagerW(nullptr, nullptr, access);
  if (!h) *error = GetLastError();
  return h;
}

Napi::Value SvcList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DWORD error = 0;
  ScHandle manager(OpenManager(SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE, &error));
  if (!manager.get()) ThrowWin32(env, error, "OpenSCManagerW", "service control manager");
  std::vector<BYTE> buffer(64 * 1024);
  std::vector<ServiceData> all;
  DWORD resume = 0;
  for (;;) {
    DWORD needed = 0, returned = 0;
    BOOL ok = EnumServicesStatusExW(manager.get(), SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_STATE_ALL, buffer.data(),
                                    static_cast<DWORD>(buffer.size()), &needed, &returned, &resume, nullptr);
    DWORD e = ok ? ERROR_SUCCESS : GetLastError();
    if (!ok && e != ERROR_MORE_DATA) ThrowWin32(env, e, "EnumServicesStatusExW", "service control manager");
    auto* items = reinterpret_cast<ENUM_SERVICE_STATUS_PROCESSW*>(buffer.data());
    for (DWORD i = 0; i < returned; ++i) {
      ServiceData s;
      s.name = items[i].lpServiceName;
      s.displayName = items[i].lpDisplayName ? items[i].lpDisplayName : L"";
      s.state = items[i].ServiceStatusProcess.dwCurrentState;
      all.push_back(std::move(s));
    }
    if (ok) break;
    if (needed > buffer.size()) buffer.resize(needed);
  }
  Napi::Array out = Napi::Array::New(env, all.size());
  uint32_t n = 0;
  for (ServiceData& s : all) {
    ScHandle service(OpenServiceW(manager.get(), s.name.c_str(), SERVICE_QUERY_CONFIG));
    DWORD configError = 0;
    // A service that vanished meanwhile, or whose configuration is not readable, is listed with
    // what the enumeration said.
    if (service.get()) ReadConfig(service.get(), &s, &configError);
    s.dependsOn = Dependencies(manager.get(), s.name);
    out.Set(n++, ServiceObject(env, s));
  }
  return out;
}

Napi::Value SvcGet(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring name = StringArg(info, 0, "service name");
  DWORD error = 0;
  ScHandle manager(OpenManager(SC_MANAGER_CONNECT, &error));
  if (!manager.get()) ThrowWin32(env, error, "OpenSCManagerW", "service control manager");
  ScHandle service(OpenServiceW(manager.get(), name.c_str(), SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS));
  if (!service.get()) {
    error = GetLastError();
    if (error == ERROR_SERVICE_DOES_NOT_EXIST) return env.Undefined();
    ThrowWin32(env, error, "OpenServiceW", Utf8(name));
  }
  ServiceData s;
  s.name = name;
  wchar_t display[257];
  DWORD displayLen = 257;
  if (GetServiceDisplayNameW(manager.get(), name.c_str(), display, &displayLen)) {
    s.displayName.assign(display, displayLen);
    // The key name as the service control manager spells it (the caller's case may differ).
    wchar_t keyName[257];
    DWORD keyLen = 257;
    if (GetServiceKeyNameW(manager.get(), s.displayName.c_str(), keyName, &keyLen)) s.name.assign(keyName, keyLen);
  }
  SERVICE_STATUS_PROCESS status{};
  DWORD needed = 0;
  if (!QueryServiceStatusEx(service.get(), SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(&status), sizeof status, &needed)) {
    ThrowWin32(env, GetLastError(), "QueryServiceStatusEx", Utf8(name));
  }
  s.state = status.dwCurrentState;
  if (!ReadConfig(service.get(), &s, &error)) ThrowWin32(env, error, "QueryServiceConfigW", Utf8(name));
  s.dependsOn = Dependencies(manager.get(), s.name);
  return ServiceObject(env, s);
}

// ---- stop / start with a deadline ----

class ControlWorker : public Worker {
 public:
  ControlWorker(Napi::Env env, std::wstring name, DWORD timeoutMs, bool start)
      : Worker(env, start ? "mfa.svcStart" : "mfa.svcStop"), name_(std::move(name)), timeoutMs_(timeoutMs), start_(start) {}

  void Execute() override {
    deadline_ = GetTickCount64() + timeoutMs_;
    DWORD error = 0;
    manager_.reset(OpenManager(SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE, &error));
    if (!manager_.get()) return Fail(error, "OpenSCManagerW", "service control manager");
    if (start_) Start(name_);
    else Stop(name_);
  }

 private:
  bool QueryState(SC_HANDLE service, const std::wstring& name, SERVICE_STATUS_PROCESS* status) {
    DWORD needed = 0;
    if (QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(status), sizeof *status, &needed)) return true;
    Fail(GetLastError(), "QueryServiceStatusEx", Utf8(name));
    return false;
  }

  /** Polls until the service reaches `wanted`; false (with the failure set) otherwise. */
  bool WaitFor(SC_HANDLE service, const std::wstring& name, DWORD wanted) {
    for (;;) {
      SERVICE_STATUS_PROCESS status{};
      if (!QueryState(service, name, &status)) return false;
      if (status.dwCurrentState == wanted) return true;
      if (wanted == SERVICE_RUNNING && status.dwCurrentState == SERVICE_STOPPED) {
        // It stopped on its own while starting: report why, as the service said it.
        DWORD code = status.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR ? status.dwServiceSpecificExitCode : status.dwWin32ExitCode;
        Fail(code ? code : ERROR_SERVICE_NOT_ACTIVE, "StartServiceW", Utf8(name) + " (stopped while starting)");
        return false;
      }
      ULONGLONG now = GetTickCount64();
      if (now >= deadline_) {
        Fail(ERROR_TIMEOUT, wanted == SERVICE_RUNNING ? "WaitForServiceRunning" : "WaitForServiceStopped",
             Utf8(name) + " (still " + StateName(status.dwCurrentState) + " after " + std::to_string(timeoutMs_) + " ms)");
        return false;
      }
      // A tenth of the service's wait hint, between 50 ms and 1 s, as the documentation advises.
      DWORD pause = status.dwWaitHint / 10;
      if (pause < 50) pause = 50;
      if (pause > 1000) pause = 1000;
      if (now + pause > deadline_) pause = static_cast<DWORD>(deadline_ - now);
      Sleep(pause);
    }
  }

  /**
   * The running services that depend on `name`. EnumDependentServicesW gives them on Windows;
   * Wine's service control manager does not implement it, so when it fails or finds none, the
   * dependency lists of the running services are read instead (the same answer on Windows;
   * under Wine from the DependOnService registry values, as its QueryServiceConfigW leaves
   * lpDependencies empty).
   */
  bool RunningDependents(SC_HANDLE service, const std::wstring& name, std::vector<std::wstring>* out) {
    DWORD needed = 0, count = 0;
    std::vector<BYTE> buffer(4096);
    for (;;) {
      if (EnumDependentServicesW(service, SERVICE_ACTIVE, reinterpret_cast<LPENUM_SERVICE_STATUSW>(buffer.data()),
                                 static_cast<DWORD>(buffer.size()), &needed, &count)) {
        break;
      }
      DWORD e = GetLastError();
      if (e == ERROR_MORE_DATA && needed > buffer.size()) {
        buffer.resize(needed);
        continue;
      }
      count = 0;
      break;
    }
    auto* dependents = reinterpret_cast<LPENUM_SERVICE_STATUSW>(buffer.data());
    for (DWORD i = 0; i < count; ++i) out->emplace_back(dependents[i].lpServiceName);
    if (!out->empty()) return true;

    std::vector<BYTE> all(64 * 1024);
    DWORD resume = 0;
    std::vector<std::wstring> running;
    for (;;) {
      DWORD returned = 0;
      BOOL ok = EnumServicesStatusExW(manager_.get(), SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE, all.data(),
                                      static_cast<DWORD>(all.size()), &needed, &returned, &resume, nullptr);
      DWORD e = ok ? ERROR_SUCCESS : GetLastError();
      if (!ok && e != ERROR_MORE_DATA) {
        Fail(e, "EnumServicesStatusExW", Utf8(name) + " (dependents)");
        return false;
      }
      auto* items = reinterpret_cast<ENUM_SERVICE_STATUS_PROCESSW*>(all.data());
      for (DWORD i = 0; i < returned; ++i) running.emplace_back(items[i].lpServiceName);
      if (ok) break;
      if (needed > all.size()) all.resize(needed);
    }
    for (const std::wstring& candidate : running) {
      for (const std::wstring& d : Dependencies(manager_.get(), candidate)) {
        if (_wcsicmp(d.c_str(), name.c_str()) == 0) {
          out->push_back(candidate);
          break;
        }
      }
    }
    return true;
  }


  bool Stop(const std::wstring& name) {
    ScHandle service(OpenServiceW(manager_.get(), name.c_str(), SERVICE_STOP | SERVICE_QUERY_STATUS | SERVICE_ENUMERATE_DEPENDENTS));
    if (!service.get()) {
      Fail(GetLastError(), "OpenServiceW", Utf8(name));
      return false;
    }
    SERVICE_STATUS_PROCESS status{};
    if (!QueryState(service.get(), name, &status)) return false;
    if (status.dwCurrentState == SERVICE_STOPPED) return true;
    if (status.dwCurrentState != SERVICE_STOP_PENDING) {
      // Running dependents first, in the order the service control manager gives (reverse start
      // order); each of them takes its own dependents down first.
      std::vector<std::wstring> names;
      if (!RunningDependents(service.get(), name, &names)) return false;
      for (const std::wstring& dependent : names) {
        if (!Stop(dependent)) return false;
      }
      SERVICE_STATUS plain{};
      if (!ControlService(service.get(), SERVICE_CONTROL_STOP, &plain)) {
        DWORD e = GetLastError();
        if (e != ERROR_SERVICE_NOT_ACTIVE) {
          Fail(e, "ControlService(SERVICE_CONTROL_STOP)", Utf8(name));
          return false;
        }
      }
    }
    return WaitFor(service.get(), name, SERVICE_STOPPED);
  }

  bool Start(const std::wstring& name) {
    ScHandle service(OpenServiceW(manager_.get(), name.c_str(), SERVICE_START | SERVICE_QUERY_STATUS));
    if (!service.get()) {
      Fail(GetLastError(), "OpenServiceW", Utf8(name));
      return false;
    }
    SERVICE_STATUS_PROCESS status{};
    if (!QueryState(service.get(), name, &status)) return false;
    if (status.dwCurrentState == SERVICE_RUNNING) return true;
    if (status.dwCurrentState == SERVICE_STOP_PENDING && !WaitFor(service.get(), name, SERVICE_STOPPED)) return false;
    if (status.dwCurrentState != SERVICE_START_PENDING) {
      if (!StartServiceW(service.get(), 0, nullptr)) {
        DWORD e = GetLastError();
        if (e != ERROR_SERVICE_ALREADY_RUNNING) {
          Fail(e, "StartServiceW", Utf8(name));
          return false;
        }
      }
    }
    return WaitFor(service.get(), name, SERVICE_RUNNING);
  }

  std::wstring name_;
  DWORD timeoutMs_;
  bool start_;
  ULONGLONG deadline_ = 0;
  ScHandle manager_;
};

Napi::Value Control(const Napi::CallbackInfo& info, bool start) {
  std::wstring name = StringArg(info, 0, "service name");
  int32_t timeout = IntArg(info, 1, "timeout in milliseconds");
  if (timeout < 0) throw Napi::TypeError::New(info.Env(), "timeout in milliseconds (argument 2) must not be negative");
  auto* worker = new ControlWorker(info.Env(), std::move(name), static_cast<DWORD>(timeout), start);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value SvcStop(const Napi::CallbackInfo& info) { return Control(info, false); }
Napi::Value SvcStart(const Napi::CallbackInfo& info) { return Control(info, true); }

}  // namespace

void InitServices(Napi::Env env, Napi::Object exports) {
  exports.Set("svcList", Napi::Function::New(env, SvcList, "svcList"));
  exports.Set("svcGet", Napi::Function::New(env, SvcGet, "svcGet"));
  exports.Set("svcStop", Napi::Function::New(env, SvcStop, "svcStop"));
  exports.Set("svcStart", Napi::Function::New(env, SvcStart, "svcStart"));
}

}  // namespace mfa
