// Services: state and configuration, stop (active dependents first, found by name or load-order
// group) and start, each waiting for the state (pending states included) until one deadline, on
// a worker thread.
//
// JS: svcList()                     -> Array<{ name, displayName, state, startType, path, dependsOn? }>
//     svcGet(name)                  -> { ... } | undefined
//     svcStop(name, timeoutMs)      -> Promise<string[]>: the services this call stopped, in the
//                                      order they stopped (dependents first, the named one last;
//                                      empty when it was already stopped). A rejection carries
//                                      the same list as error.stopped.
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

/** A REG_MULTI_SZ or REG_SZ value under the service's key; empty when absent. */
std::vector<std::wstring> ServiceKeyStrings(const std::wstring& service, const wchar_t* value) {
  std::vector<std::wstring> out;
  std::wstring key = L"SYSTEM\\CurrentControlSet\\Services\\" + service;
  DWORD bytes = 0;
  if (RegGetValueW(HKEY_LOCAL_MACHINE, key.c_str(), value, RRF_RT_REG_MULTI_SZ | RRF_RT_REG_SZ, nullptr, nullptr, &bytes) != ERROR_SUCCESS || bytes == 0) return out;
  std::vector<wchar_t> list(bytes / sizeof(wchar_t) + 2, L'\0');
  if (RegGetValueW(HKEY_LOCAL_MACHINE, key.c_str(), value, RRF_RT_REG_MULTI_SZ | RRF_RT_REG_SZ, nullptr, list.data(), &bytes) != ERROR_SUCCESS) return out;
  for (const wchar_t* d = list.data(); *d; d += wcslen(d) + 1) out.emplace_back(d);
  return out;
}

/** What a service depends on: service names, and load-order groups written "+Group"; and its own group. */
struct DependencyInfo {
  std::vector<std::wstring> dependencies;
  std::wstring group;
};

DependencyInfo DependenciesOf(SC_HANDLE manager, const std::wstring& service) {
  DependencyInfo out;
  ScHandle handle(OpenServiceW(manager, service.c_str(), SERVICE_QUERY_CONFIG));
  if (handle.get()) {
    DWORD size = 0;
    QueryServiceConfigW(handle.get(), nullptr, 0, &size);
    DWORD e = GetLastError();
    if (e == ERROR_INSUFFICIENT_BUFFER) {
      std::vector<BYTE> config(size);
      auto* c = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(config.data());
      if (QueryServiceConfigW(handle.get(), c, size, &size)) {
        if (c->lpDependencies) {
          for (const wchar_t* d = c->lpDependencies; *d; d += wcslen(d) + 1) out.dependencies.emplace_back(d);
        }
        if (c->lpLoadOrderGroup) out.group = c->lpLoadOrderGroup;
      }
    }
  }
  // Wine's service control manager leaves lpDependencies (and the group) empty: the values the
  // configuration is stored in say the same.
  if (out.dependencies.empty()) {
    out.dependencies = ServiceKeyStrings(service, L"DependOnService");
    for (const std::wstring& g : ServiceKeyStrings(service, L"DependOnGroup")) out.dependencies.push_back(std::wstring(1, SC_GROUP_IDENTIFIERW) + g);
  }
  if (out.group.empty()) {
    std::vector<std::wstring> group = ServiceKeyStrings(service, L"Group");
    if (!group.empty()) out.group = group[0];
  }
  return out;
}

/** What a service depends on, services only (load-order groups, written +Group, left out). */
std::vector<std::wstring> Dependencies(SC_HANDLE manager, const std::wstring& service) {
  std::vector<std::wstring> out;
  for (const std::wstring& d : DependenciesOf(manager, service).dependencies) {
    if (!d.empty() && d[0] != SC_GROUP_IDENTIFIERW) out.push_back(d);
  }
  return out;
}

bool SameName(const std::wstring& a, const std::wstring& b) { return _wcsicmp(a.c_str(), b.c_str()) == 0; }

bool UnderWine() {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll && GetProcAddress(ntdll, "wine_get_version") != nullptr;
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
    DWORD e = GetLastError();
    ThrowWin32(env, e, "QueryServiceStatusEx", Utf8(name));
  }
  s.state = status.dwCurrentState;
  if (!ReadConfig(service.get(), &s, &error)) ThrowWin32(env, error, "QueryServiceConfigW", Utf8(name));
  s.dependsOn = Dependencies(manager.get(), s.name);
  return ServiceObject(env, s);
}

// ---- stop / start with a deadline ----

bool Pending(DWORD state) {
  return state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING || state == SERVICE_CONTINUE_PENDING || state == SERVICE_PAUSE_PENDING;
}

class ControlWorker : public Worker {
 public:
  ControlWorker(Napi::Env env, std::wstring name, DWORD timeoutMs, bool start)
      : Worker(env, start ? "mfa.svcStart" : "mfa.svcStop"), name_(std::move(name)), timeoutMs_(timeoutMs), start_(start) {}

  void Run() override {
    deadline_ = GetTickCount64() + timeoutMs_;
    DWORD error = 0;
    manager_.reset(OpenManager(SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE, &error));
    if (!manager_.get()) return Fail(error, "OpenSCManagerW", "service control manager");
    if (start_) Start(name_);
    else Stop(name_);
  }

  /** stop: the services this call stopped, in the order they stopped; start: undefined. */
  Napi::Value Result(Napi::Env env) override {
    if (start_) return env.Undefined();
    return StoppedArray(env);
  }

  void OnError(const Napi::Error& e) override {
    if (start_ || !failure_.failed()) return Worker::OnError(e);
    // What was stopped before the failure still needs starting again: the error says which.
    Napi::Error error = Win32Error(Env(), failure_.code, failure_.api, failure_.target);
    error.Value().Set("stopped", StoppedArray(Env()));
    deferred_.Reject(error.Value());
  }

 private:
  Napi::Array StoppedArray(Napi::Env env) {
    Napi::Array out = Napi::Array::New(env, stopped_.size());
    for (uint32_t i = 0; i < stopped_.size(); ++i) out.Set(i, JsString(env, stopped_[i]));
    return out;
  }

  bool QueryState(SC_HANDLE service, const std::wstring& name, SERVICE_STATUS_PROCESS* status) {
    DWORD needed = 0;
    if (QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(status), sizeof *status, &needed)) return true;
    DWORD e = GetLastError();
    Fail(e, "QueryServiceStatusEx", Utf8(name));
    return false;
  }

  /** A pause before polling again: a tenth of the wait hint, between 50 ms and 1 s, within the deadline. */
  void Pause(const SERVICE_STATUS_PROCESS& status) {
    ULONGLONG now = GetTickCount64();
    DWORD pause = status.dwWaitHint / 10;
    if (pause < 50) pause = 50;
    if (pause > 1000) pause = 1000;
    if (now + pause > deadline_) pause = now >= deadline_ ? 0 : static_cast<DWORD>(deadline_ - now);
    Sleep(pause);
  }

  bool TimedOut(const std::wstring& name, const SERVICE_STATUS_PROCESS& status, const char* waitingFor) {
    if (GetTickCount64() < deadline_) return false;
    Fail(ERROR_TIMEOUT, waitingFor, Utf8(name) + " (still " + StateName(status.dwCurrentState) + " after " + std::to_string(timeoutMs_) + " ms)");
    return true;
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
      if (TimedOut(name, status, wanted == SERVICE_RUNNING ? "WaitForServiceRunning" : "WaitForServiceStopped")) return false;
      Pause(status);
    }
  }

  /** Waits while the service is in a pending state; *status then holds the settled state. */
  bool WaitSettled(SC_HANDLE service, const std::wstring& name, SERVICE_STATUS_PROCESS* status) {
    for (;;) {
      if (!QueryState(service, name, status)) return false;
      if (!Pending(status->dwCurrentState)) return true;
      if (TimedOut(name, *status, "WaitForServiceState")) return false;
      Pause(*status);
    }
  }

  /** The names of the service control manager's services (all states), for the configuration walk. */
  bool AllServices(const std::wstring& name, std::vector<std::pair<std::wstring, DWORD>>* out) {
    std::vector<BYTE> all(64 * 1024);
    DWORD resume = 0;
    for (;;) {
      DWORD needed = 0, returned = 0;
      BOOL ok = EnumServicesStatusExW(manager_.get(), SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_STATE_ALL, all.data(),
                                      static_cast<DWORD>(all.size()), &needed, &returned, &resume, nullptr);
      DWORD e = ok ? ERROR_SUCCESS : GetLastError();
      if (!ok && e != ERROR_MORE_DATA) {
        Fail(e, "EnumServicesStatusExW", Utf8(name) + " (dependents)");
        return false;
      }
      auto* items = reinterpret_cast<ENUM_SERVICE_STATUS_PROCESSW*>(all.data());
      for (DWORD i = 0; i < returned; ++i) out->emplace_back(items[i].lpServiceName, items[i].ServiceStatusProcess.dwCurrentState);
      if (ok) return true;
      if (needed > all.size()) all.resize(needed);
    }
  }

  /**
   * Every service that depends on `name`, directly or not, by name or through its load-order group
   * ("+Group"), read from the services' configurations, in an order that stops each one before
   * what it depends on. A visited set ends cycles (a misconfigured machine can have them).
   */
  bool ConfigurationDependents(const std::wstring& name, std::vector<std::wstring>* out) {
    std::vector<std::pair<std::wstring, DWORD>> all;
    if (!AllServices(name, &all)) return false;
    std::vector<DependencyInfo> info;
    info.reserve(all.size());
    for (const auto& s : all) info.push_back(DependenciesOf(manager_.get(), s.first));
    std::wstring nameGroup = DependenciesOf(manager_.get(), name).group;
    std::vector<bool> visited(all.size(), false);
    // Depth first: a dependent's own dependents are listed before it.
    struct Frame {
      std::wstring service;
      std::wstring group;
    };
    std::vector<std::wstring> order;
    std::vector<Frame> stack;  // explicit recursion: a deep chain cannot overflow the thread's stack
    std::vector<size_t> cursor;
    stack.push_back({name, nameGroup});
    cursor.push_back(0);
    while (!stack.empty()) {
      size_t depth = stack.size() - 1;
      const std::wstring service = stack[depth].service;
      const std::wstring group = stack[depth].group;
      size_t found = all.size();
      for (size_t i = cursor[depth]; i < all.size(); ++i) {
        if (visited[i] || SameName(all[i].first, name)) continue;
        bool depends = false;
        for (const std::wstring& d : info[i].dependencies) {
          if (!d.empty() && d[0] == SC_GROUP_IDENTIFIERW) depends = !group.empty() && SameName(d.substr(1), group);
          else depends = SameName(d, service);
          if (depends) break;
        }
        if (depends) {
          found = i;
          break;
        }
      }
      if (found < all.size()) {
        cursor[depth] = found + 1;  // resume after it when we come back up
        visited[found] = true;
        stack.push_back({all[found].first, info[found].group});
        cursor.push_back(0);
        continue;
      }
      if (depth > 0) order.push_back(service);
      stack.pop_back();
      cursor.pop_back();
    }
    for (const std::wstring& s : order) {
      for (const auto& candidate : all) {
        if (SameName(candidate.first, s) && candidate.second != SERVICE_STOPPED) out->push_back(s);
      }
    }
    return true;
  }

  /**
   * The active services that depend on `name`, in the order to stop them. EnumDependentServicesW
   * gives them on Windows (all of them, in reverse start order). Where it gives nothing while it
   * cannot be trusted to (it failed, or Wine, whose version is a stub answering "none"), the
   * services' configurations are walked instead. On Windows, "none" from it is the answer.
   */
  bool ActiveDependents(SC_HANDLE service, const std::wstring& name, std::vector<std::wstring>* out) {
    DWORD needed = 0, count = 0;
    std::vector<BYTE> buffer(4096);
    bool listed = false;
    for (;;) {
      if (EnumDependentServicesW(service, SERVICE_ACTIVE, reinterpret_cast<LPENUM_SERVICE_STATUSW>(buffer.data()), static_cast<DWORD>(buffer.size()), &needed,
                                 &count)) {
        listed = true;
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
    if (!out->empty() || (listed && !UnderWine())) return true;
    return ConfigurationDependents(name, out);
  }

  /** The service's name as the service control manager spells it (the caller's case may differ). */
  std::wstring KeyName(const std::wstring& name) {
    wchar_t display[257];
    DWORD displayLen = 257;
    if (!GetServiceDisplayNameW(manager_.get(), name.c_str(), display, &displayLen)) return name;
    wchar_t key[257];
    DWORD keyLen = 257;
    if (!GetServiceKeyNameW(manager_.get(), display, key, &keyLen)) return name;
    std::wstring out(key, keyLen);
    return SameName(out, name) ? out : name;
  }

  bool Visit(const std::wstring& name) {
    for (const std::wstring& v : visited_) {
      if (SameName(v, name)) return false;
    }
    visited_.push_back(name);
    return true;
  }

  /** Stops the service and, first, every active service that depends on it. */
  bool Stop(const std::wstring& name) {
    ScHandle service(OpenServiceW(manager_.get(), name.c_str(), SERVICE_STOP | SERVICE_QUERY_STATUS | SERVICE_ENUMERATE_DEPENDENTS));
    if (!service.get()) {
      DWORD e = GetLastError();
      Fail(e, "OpenServiceW", Utf8(name));
      return false;
    }
    SERVICE_STATUS_PROCESS status{};
    // A service still starting cannot take a stop (1061): wait until it settles.
    if (!WaitSettled(service.get(), name, &status)) return false;
    if (status.dwCurrentState == SERVICE_STOPPED) return true;
    std::wstring key = KeyName(name);
    Visit(key);
    std::vector<std::wstring> dependents;
    if (!ActiveDependents(service.get(), key, &dependents)) return false;
    for (const std::wstring& dependent : dependents) {
      if (!Visit(dependent)) continue;
      if (!StopOne(dependent)) return false;
    }
    return StopOne(key, service.get());
  }

  /** Stops one service (its dependents already stopped) and records it when this call stopped it. */
  bool StopOne(const std::wstring& name, SC_HANDLE open = nullptr) {
    ScHandle own;
    SC_HANDLE service = open;
    if (!service) {
      own.reset(OpenServiceW(manager_.get(), name.c_str(), SERVICE_STOP | SERVICE_QUERY_STATUS));
      if (!own.get()) {
        DWORD e = GetLastError();
        if (e == ERROR_SERVICE_DOES_NOT_EXIST) return true;  // removed meanwhile: nothing to stop
        Fail(e, "OpenServiceW", Utf8(name));
        return false;
      }
      service = own.get();
    }
    for (;;) {
      SERVICE_STATUS_PROCESS status{};
      if (!WaitSettled(service, name, &status)) return false;
      if (status.dwCurrentState == SERVICE_STOPPED) return true;  // stopped by someone else
      SERVICE_STATUS plain{};
      if (ControlService(service, SERVICE_CONTROL_STOP, &plain)) break;
      DWORD e = GetLastError();
      if (e == ERROR_SERVICE_NOT_ACTIVE) return true;
      if (e == ERROR_SERVICE_CANNOT_ACCEPT_CTRL && GetTickCount64() < deadline_) {
        Pause(status);
        continue;
      }
      Fail(e, "ControlService(SERVICE_CONTROL_STOP)", Utf8(name));
      return false;
    }
    if (!WaitFor(service, name, SERVICE_STOPPED)) return false;
    stopped_.push_back(name);
    return true;
  }

  bool Start(const std::wstring& name) {
    ScHandle service(OpenServiceW(manager_.get(), name.c_str(), SERVICE_START | SERVICE_QUERY_STATUS));
    if (!service.get()) {
      DWORD e = GetLastError();
      Fail(e, "OpenServiceW", Utf8(name));
      return false;
    }
    SERVICE_STATUS_PROCESS status{};
    if (!WaitSettled(service.get(), name, &status)) return false;
    if (status.dwCurrentState == SERVICE_RUNNING) return true;
    if (!StartServiceW(service.get(), 0, nullptr)) {
      DWORD e = GetLastError();
      if (e != ERROR_SERVICE_ALREADY_RUNNING) {
        Fail(e, "StartServiceW", Utf8(name));
        return false;
      }
    }
    return WaitFor(service.get(), name, SERVICE_RUNNING);
  }

  std::wstring name_;
  DWORD timeoutMs_;
  bool start_;
  ULONGLONG deadline_ = 0;
  ScHandle manager_;
  std::vector<std::wstring> stopped_;
  std::vector<std::wstring> visited_;
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
