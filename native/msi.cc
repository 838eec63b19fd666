// Windows Installer: products (machine and per-user contexts) with their properties, related
// products by UpgradeCode, a package's Property table and platform, and install / uninstall /
// administrative install with a verbose log, progress from the external UI handler and a cancel.
//
// msi.dll is not a KnownDLL: linked normally, the loader would look for it in the addon's folder
// first. It is loaded at run time by its absolute System32 path (every Windows from 2008 on;
// LOAD_LIBRARY_SEARCH_SYSTEM32 would need KB2533623 there, /DEPENDENTLOADFLAG Windows 10 1607).
//
// JS: msiProducts()                       -> Promise<Array<{ productCode, context, userSid, name,
//                                              version, publisher, installLocation, localPackage,
//                                              upgradeCode }>>
//     msiRelated(upgradeCode)             -> string[]
//     msiReadPackage(path)                -> Promise<{ properties: {[name]: value}, template }>
//     msiRun(op, target, commandLine, logFile | null, onEvent) -> { result: Promise<number>, cancel() }
//        op: "install" (target: package path), "uninstall" (target: ProductCode),
//            "admin" (target: package path; the command line carries ACTION=ADMIN TARGETDIR=...).
//        onEvent({ kind: "progress", fields: [f1, f2, f3, f4] } | { kind: "action", action,
//        description } | { kind: "data" }) runs on the JS thread while the installer works on a
//        thread of its own. result resolves with the installer's code as it is (0, 3010, 1602,
//        1603, 1605, 1618, ...): policy lives in TypeScript. cancel() makes the UI handler answer
//        IDCANCEL at the installer's next message: it rolls back and the code is 1602.
#include "common.h"

#include <msi.h>
#include <msiquery.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#ifndef PID_TEMPLATE
#define PID_TEMPLATE 7
#endif

namespace mfa {
namespace {

// ---- msi.dll from System32 ----

struct MsiApi {
  DWORD loadError = 0;
  std::string path;
  decltype(&MsiCloseHandle) CloseHandle = nullptr;
  decltype(&MsiEnumProductsExW) EnumProductsEx = nullptr;
  decltype(&MsiGetProductInfoExW) GetProductInfoEx = nullptr;
  decltype(&MsiOpenDatabaseW) OpenDatabase = nullptr;
  decltype(&MsiDatabaseOpenViewW) DatabaseOpenView = nullptr;
  decltype(&MsiViewExecute) ViewExecute = nullptr;
  decltype(&MsiViewFetch) ViewFetch = nullptr;
  decltype(&MsiRecordGetStringW) RecordGetString = nullptr;
  decltype(&MsiRecordGetInteger) RecordGetInteger = nullptr;
  decltype(&MsiEnumRelatedProductsW) EnumRelatedProducts = nullptr;
  decltype(&MsiGetSummaryInformationW) GetSummaryInformation = nullptr;
  decltype(&MsiSummaryInfoGetPropertyW) SummaryInfoGetProperty = nullptr;
  decltype(&MsiSetInternalUI) SetInternalUI = nullptr;
  decltype(&MsiEnableLogW) EnableLog = nullptr;
  decltype(&MsiSetExternalUIRecord) SetExternalUIRecord = nullptr;
  decltype(&MsiInstallProductW) InstallProduct = nullptr;
  decltype(&MsiConfigureProductExW) ConfigureProductEx = nullptr;
};

template <typename T>
bool Resolve(HMODULE module, const char* name, T* out, DWORD* error) {
  FARPROC p = GetProcAddress(module, name);
  if (!p) {
    *error = GetLastError();
    return false;
  }
  *out = reinterpret_cast<T>(reinterpret_cast<void*>(p));
  return true;
}

MsiApi LoadMsi() {
  MsiApi api;
  wchar_t system[MAX_PATH + 1];
  UINT n = GetSystemDirectoryW(system, MAX_PATH + 1);
  if (n == 0 || n > MAX_PATH) {
    api.loadError = n == 0 ? GetLastError() : ERROR_INSUFFICIENT_BUFFER;
    api.path = "System32\\msi.dll";
    return api;
  }
  std::wstring path = std::wstring(system, n) + L"\\msi.dll";
  api.path = Utf8(path);
  // Absolute path: nothing is searched for msi.dll; its own imports are searched from System32.
  HMODULE module = LoadLibraryExW(path.c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
  if (!module) {
    api.loadError = GetLastError();
    return api;
  }
  DWORD e = 0;
  bool ok = Resolve(module, "MsiCloseHandle", &api.CloseHandle, &e) && Resolve(module, "MsiEnumProductsExW", &api.EnumProductsEx, &e) &&
            Resolve(module, "MsiGetProductInfoExW", &api.GetProductInfoEx, &e) && Resolve(module, "MsiOpenDatabaseW", &api.OpenDatabase, &e) &&
            Resolve(module, "MsiDatabaseOpenViewW", &api.DatabaseOpenView, &e) && Resolve(module, "MsiViewExecute", &api.ViewExecute, &e) &&
            Resolve(module, "MsiViewFetch", &api.ViewFetch, &e) && Resolve(module, "MsiRecordGetStringW", &api.RecordGetString, &e) &&
            Resolve(module, "MsiRecordGetInteger", &api.RecordGetInteger, &e) &&
            Resolve(module, "MsiEnumRelatedProductsW", &api.EnumRelatedProducts, &e) &&
            Resolve(module, "MsiGetSummaryInformationW", &api.GetSummaryInformation, &e) &&
            Resolve(module, "MsiSummaryInfoGetPropertyW", &api.SummaryInfoGetProperty, &e) && Resolve(module, "MsiSetInternalUI", &api.SetInternalUI, &e) &&
            Resolve(module, "MsiEnableLogW", &api.EnableLog, &e) && Resolve(module, "MsiSetExternalUIRecord", &api.SetExternalUIRecord, &e) &&
            Resolve(module, "MsiInstallProductW", &api.InstallProduct, &e) && Resolve(module, "MsiConfigureProductExW", &api.ConfigureProductEx, &e);
  if (!ok) api.loadError = e ? e : ERROR_PROC_NOT_FOUND;
  // Kept loaded for the life of the process (the handler may be installed in it).
  return api;
}

/** msi.dll's functions, loaded once (thread-safe static initialisation); check loadError. */
const MsiApi& Msi() {
  static const MsiApi api = LoadMsi();
  return api;
}

const MsiApi& MsiOrThrow(Napi::Env env) {
  const MsiApi& api = Msi();
  if (api.loadError) ThrowWin32(env, api.loadError, "LoadLibraryExW", api.path);
  return api;
}

class MsiHandle {
 public:
  MsiHandle() = default;
  ~MsiHandle() {
    if (h_) Msi().CloseHandle(h_);
  }
  MsiHandle(const MsiHandle&) = delete;
  MsiHandle& operator=(const MsiHandle&) = delete;
  MSIHANDLE* out() { return &h_; }
  MSIHANDLE get() const { return h_; }

 private:
  MSIHANDLE h_ = 0;
};

std::wstring RecordString(MSIHANDLE record, UINT field) {
  const MsiApi& api = Msi();
  wchar_t small[256];
  DWORD len = 256;
  UINT r = api.RecordGetString(record, field, small, &len);
  if (r == ERROR_SUCCESS) return std::wstring(small, len);
  if (r != ERROR_MORE_DATA) return std::wstring();
  std::wstring big(static_cast<size_t>(len) + 1, L'\0');
  len += 1;
  r = api.RecordGetString(record, field, &big[0], &len);
  if (r != ERROR_SUCCESS) return std::wstring();
  big.resize(len);
  return big;
}

/** A product property; empty when the installer does not know it for this product. */
std::wstring ProductInfo(const wchar_t* code, const wchar_t* sid, MSIINSTALLCONTEXT context, const wchar_t* property) {
  std::wstring value(512, L'\0');
  for (int attempt = 0; attempt < 4; ++attempt) {
    DWORD len = static_cast<DWORD>(value.size());
    UINT r = Msi().GetProductInfoEx(code, sid, context, property, &value[0], &len);
    if (r == ERROR_SUCCESS) {
      value.resize(len);
      return value;
    }
    if (r != ERROR_MORE_DATA) return std::wstring();
    value.assign(static_cast<size_t>(len) + 2, L'\0');
  }
  return std::wstring();
}

/** Property table rows of an open database: all of them, or the one named. */
UINT ReadProperties(MSIHANDLE db, const wchar_t* only, std::vector<std::pair<std::wstring, std::wstring>>* out) {
  const MsiApi& api = Msi();
  std::wstring query = L"SELECT `Property`, `Value` FROM `Property`";
  if (only) query += std::wstring(L" WHERE `Property` = '") + only + L"'";
  MsiHandle view;
  UINT r = api.DatabaseOpenView(db, query.c_str(), view.out());
  if (r != ERROR_SUCCESS) return r;
  r = api.ViewExecute(view.get(), 0);
  if (r != ERROR_SUCCESS) return r;
  for (;;) {
    MsiHandle record;
    r = api.ViewFetch(view.get(), record.out());
    if (r == ERROR_NO_MORE_ITEMS) break;
    if (r != ERROR_SUCCESS) return r;
    out->emplace_back(RecordString(record.get(), 1), RecordString(record.get(), 2));
  }
  return ERROR_SUCCESS;
}

/** The UpgradeCode in a cached package's Property table; empty when unreadable or absent. */
std::wstring UpgradeCodeOf(const std::wstring& package) {
  if (package.empty()) return std::wstring();
  MsiHandle db;
  if (Msi().OpenDatabase(package.c_str(), MSIDBOPEN_READONLY, db.out()) != ERROR_SUCCESS) return std::wstring();
  std::vector<std::pair<std::wstring, std::wstring>> rows;
  if (ReadProperties(db.get(), L"UpgradeCode", &rows) != ERROR_SUCCESS || rows.empty()) return std::wstring();
  return rows[0].second;
}

// ---- msiProducts ----

struct Product {
  std::wstring code, sid, name, version, publisher, location, package, upgradeCode;
  MSIINSTALLCONTEXT context;
};

class ProductsWorker : public Worker {
 public:
  explicit ProductsWorker(Napi::Env env) : Worker(env, "mfa.msiProducts") {}

  void Run() override {
    const MsiApi& api = Msi();
    if (api.loadError) return Fail(api.loadError, "LoadLibraryExW", api.path);
    // Every user's products need "s-1-1-0" (Everyone), which only an administrator may ask for;
    // otherwise fall back to this user's and the machine's (the first failure is then forgotten).
    if (!Enumerate(L"s-1-1-0")) {
      products_.clear();
      ClearFailure();
      if (!Enumerate(nullptr)) return;
    }
    for (Product& p : products_) {
      const wchar_t* sid = p.context == MSIINSTALLCONTEXT_MACHINE ? nullptr : p.sid.c_str();
      p.name = ProductInfo(p.code.c_str(), sid, p.context, INSTALLPROPERTY_INSTALLEDPRODUCTNAME);
      if (p.name.empty()) p.name = ProductInfo(p.code.c_str(), sid, p.context, INSTALLPROPERTY_PRODUCTNAME);
      p.version = ProductInfo(p.code.c_str(), sid, p.context, INSTALLPROPERTY_VERSIONSTRING);
      p.publisher = ProductInfo(p.code.c_str(), sid, p.context, INSTALLPROPERTY_PUBLISHER);
      p.location = ProductInfo(p.code.c_str(), sid, p.context, INSTALLPROPERTY_INSTALLLOCATION);
      p.package = ProductInfo(p.code.c_str(), sid, p.context, INSTALLPROPERTY_LOCALPACKAGE);
      p.upgradeCode = UpgradeCodeOf(p.package);
    }
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env, products_.size());
    uint32_t i = 0;
    for (const Product& p : products_) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("productCode", JsString(env, p.code));
      o.Set("context", Napi::String::New(env, p.context == MSIINSTALLCONTEXT_MACHINE ? "machine" : p.context == MSIINSTALLCONTEXT_USERMANAGED ? "userManaged" : "userUnmanaged"));
      o.Set("userSid", JsString(env, p.sid));
      o.Set("name", JsString(env, p.name));
      o.Set("version", JsString(env, p.version));
      o.Set("publisher", JsString(env, p.publisher));
      o.Set("installLocation", JsString(env, p.location));
      o.Set("localPackage", JsString(env, p.package));
      o.Set("upgradeCode", JsString(env, p.upgradeCode));
      out.Set(i++, o);
    }
    return out;
  }

 private:
  bool Enumerate(const wchar_t* user) {
    for (DWORD i = 0;; ++i) {
      wchar_t code[39];
      MSIINSTALLCONTEXT context = MSIINSTALLCONTEXT_NONE;
      wchar_t sid[512];
      DWORD sidLen = 512;
      UINT r = Msi().EnumProductsEx(nullptr, user, MSIINSTALLCONTEXT_ALL, i, code, &context, sid, &sidLen);
      if (r == ERROR_NO_MORE_ITEMS) return true;
      if (r != ERROR_SUCCESS) {
        Fail(r, "MsiEnumProductsExW", user ? "all users" : "this user");
        return false;
      }
      Product p;
      p.code = code;
      p.context = context;
      p.sid.assign(sid, sidLen);
      products_.push_back(std::move(p));
    }
  }

  std::vector<Product> products_;
};

Napi::Value MsiProducts(const Napi::CallbackInfo& info) {
  auto* worker = new ProductsWorker(info.Env());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// ---- msiRelated ----

Napi::Value MsiRelated(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring upgradeCode = StringArg(info, 0, "upgrade code");
  const MsiApi& api = MsiOrThrow(env);
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (DWORD i = 0;; ++i) {
    wchar_t code[39];
    UINT r = api.EnumRelatedProducts(upgradeCode.c_str(), 0, i, code);
    if (r == ERROR_NO_MORE_ITEMS) break;
    if (r != ERROR_SUCCESS) ThrowWin32(env, r, "MsiEnumRelatedProductsW", Utf8(upgradeCode));
    out.Set(n++, JsString(env, code));
  }
  return out;
}

// ---- msiReadPackage ----

class ReadPackageWorker : public Worker {
 public:
  ReadPackageWorker(Napi::Env env, std::wstring path) : Worker(env, "mfa.msiReadPackage"), path_(std::move(path)) {}

  void Run() override {
    const MsiApi& api = Msi();
    if (api.loadError) return Fail(api.loadError, "LoadLibraryExW", api.path);
    MsiHandle db;
    UINT r = api.OpenDatabase(path_.c_str(), MSIDBOPEN_READONLY, db.out());
    if (r != ERROR_SUCCESS) return Fail(r, "MsiOpenDatabaseW", Utf8(path_));
    r = ReadProperties(db.get(), nullptr, &properties_);
    if (r != ERROR_SUCCESS) return Fail(r, "MsiViewFetch", Utf8(path_) + " (Property table)");
    MsiHandle summary;
    r = api.GetSummaryInformation(db.get(), nullptr, 0, summary.out());
    if (r != ERROR_SUCCESS) return Fail(r, "MsiGetSummaryInformationW", Utf8(path_));
    std::wstring value(256, L'\0');
    for (int attempt = 0; attempt < 3; ++attempt) {
      UINT type = 0;
      INT number = 0;
      FILETIME time{};
      DWORD len = static_cast<DWORD>(value.size());
      r = api.SummaryInfoGetProperty(summary.get(), PID_TEMPLATE, &type, &number, &time, &value[0], &len);
      if (r == ERROR_MORE_DATA) {
        value.assign(static_cast<size_t>(len) + 2, L'\0');
        continue;
      }
      if (r != ERROR_SUCCESS) return Fail(r, "MsiSummaryInfoGetPropertyW", Utf8(path_) + " (Template)");
      template_.assign(value.data(), len);
      break;
    }
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    Napi::Object props = Napi::Object::New(env);
    for (const auto& kv : properties_) props.Set(JsString(env, kv.first), JsString(env, kv.second));
    out.Set("properties", props);
    out.Set("template", JsString(env, template_));
    return out;
  }

 private:
  std::wstring path_;
  std::vector<std::pair<std::wstring, std::wstring>> properties_;
  std::wstring template_;
};

Napi::Value MsiReadPackage(const Napi::CallbackInfo& info) {
  auto* worker = new ReadPackageWorker(info.Env(), StringArg(info, 0, "package path"));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// ---- msiRun: install / uninstall / administrative install on a thread of its own ----

enum class RunOp { Install, Uninstall, Admin };

/** What the installer thread sends to the JS thread. */
struct Message {
  enum Kind { Progress, Action, Data, Done } kind = Progress;
  int fields[4] = {0, 0, 0, 0};
  std::wstring action;
  std::wstring description;
};

// The UI level, external handler and log are process-wide in Windows Installer (and only one
// installation runs at a time on a machine anyway): one operation at a time in this process.
std::mutex g_runMutex;

/** Shared by the installer thread, the JS thread and the environment's cleanup hook. */
struct RunState {
  RunOp op = RunOp::Install;
  std::wstring target, commandLine, logFile;
  bool hasLog = false;

  std::atomic<bool> cancel{false};
  // Guards tsfn use from the installer thread against the environment going away.
  std::mutex tsfnMutex;
  bool envGone = false;
  napi_threadsafe_function tsfn = nullptr;

  std::mutex doneMutex;
  std::condition_variable doneSignal;
  bool finished = false;
  std::thread thread;

  UINT exitCode = 0;
  Failure failure;

  /** Queues a message for the JS thread; false when the environment is closing (then: cancel). */
  bool Post(Message* message) {
    std::lock_guard<std::mutex> lock(tsfnMutex);
    if (envGone) return false;
    napi_status s = napi_call_threadsafe_function(tsfn, message, napi_tsfn_nonblocking);
    if (s != napi_ok) {
      if (s == napi_closing) envGone = true;
      return false;
    }
    return true;
  }
};

/** Restores the three process-wide Windows Installer settings, whatever way the run ends. */
class MsiSettingsGuard {
 public:
  explicit MsiSettingsGuard(const MsiApi& api) : api_(api) { previousLevel_ = api_.SetInternalUI(INSTALLUILEVEL_NONE, nullptr); }
  ~MsiSettingsGuard() {
    if (handlerSet_) api_.SetExternalUIRecord(previousHandler_, previousHandler_ ? filter_ : 0, nullptr, nullptr);
    if (logSet_) api_.EnableLog(0, nullptr, 0);
    api_.SetInternalUI(previousLevel_, nullptr);
  }
  MsiSettingsGuard(const MsiSettingsGuard&) = delete;
  MsiSettingsGuard& operator=(const MsiSettingsGuard&) = delete;

  UINT EnableLog(const std::wstring& file) {
    DWORD mode = INSTALLLOGMODE_FATALEXIT | INSTALLLOGMODE_ERROR | INSTALLLOGMODE_WARNING | INSTALLLOGMODE_USER | INSTALLLOGMODE_INFO |
                 INSTALLLOGMODE_RESOLVESOURCE | INSTALLLOGMODE_OUTOFDISKSPACE | INSTALLLOGMODE_ACTIONSTART | INSTALLLOGMODE_ACTIONDATA |
                 INSTALLLOGMODE_COMMONDATA | INSTALLLOGMODE_PROPERTYDUMP | INSTALLLOGMODE_VERBOSE;
    UINT r = api_.EnableLog(mode, file.c_str(), INSTALLLOGATTRIBUTES_FLUSHEACHLINE);
    logSet_ = r == ERROR_SUCCESS;
    return r;
  }

  UINT SetHandler(INSTALLUI_HANDLER_RECORD handler, DWORD filter, RunState* state) {
    UINT r = api_.SetExternalUIRecord(handler, filter, state, &previousHandler_);
    handlerSet_ = r == ERROR_SUCCESS;
    filter_ = filter;
    return r;
  }

 private:
  const MsiApi& api_;
  INSTALLUILEVEL previousLevel_ = INSTALLUILEVEL_DEFAULT;
  INSTALLUI_HANDLER_RECORD previousHandler_ = nullptr;
  DWORD filter_ = 0;
  bool logSet_ = false;
  bool handlerSet_ = false;
};

/**
 * Called by Windows Installer on the installer thread. Nothing may unwind through msi.dll: every
 * exception is caught. IDCANCEL once a cancel was asked for (or the environment is closing).
 */
INT CALLBACK UiHandler(LPVOID context, UINT messageType, MSIHANDLE record) noexcept {
  auto* state = static_cast<RunState*>(context);
  try {
    if (state->cancel.load()) return IDCANCEL;
    if (record == 0) return 0;
    const MsiApi& api = Msi();
    std::unique_ptr<Message> m(new Message());
    switch (static_cast<INSTALLMESSAGE>(messageType & 0xFF000000u)) {
      case INSTALLMESSAGE_PROGRESS:
        m->kind = Message::Progress;
        for (UINT f = 1; f <= 4; ++f) {
          int v = api.RecordGetInteger(record, f);  // MSI_NULL_INTEGER (0x80000000) when empty
          m->fields[f - 1] = v == static_cast<int>(MSI_NULL_INTEGER) ? 0 : v;
        }
        break;
      case INSTALLMESSAGE_ACTIONSTART:
        m->kind = Message::Action;
        m->action = RecordString(record, 1);
        m->description = RecordString(record, 2);
        break;
      case INSTALLMESSAGE_ACTIONDATA:
        m->kind = Message::Data;
        break;
      default:
        return 0;  // not handled: the installer's own (silent) handling applies
    }
    if (!state->Post(m.get())) {
      // Nobody is listening any more (the environment is going away): stop and roll back.
      state->cancel.store(true);
      return IDCANCEL;
    }
    m.release();  // owned by the queue now
    return IDOK;
  } catch (...) {
    return 0;
  }
}

void RunInstaller(const std::shared_ptr<RunState>& state) {
  const MsiApi& api = Msi();
  if (api.loadError) {
    state->failure = {api.loadError, "LoadLibraryExW", api.path};
    return;
  }
  std::lock_guard<std::mutex> lock(g_runMutex);
  MsiSettingsGuard settings(api);
  if (state->hasLog) {
    UINT r = settings.EnableLog(state->logFile);
    if (r != ERROR_SUCCESS) {
      state->failure = {r, "MsiEnableLogW", Utf8(state->logFile)};
      return;
    }
  }
  DWORD filter = INSTALLLOGMODE_PROGRESS | INSTALLLOGMODE_ACTIONSTART | INSTALLLOGMODE_ACTIONDATA;
  UINT r = settings.SetHandler(UiHandler, filter, state.get());
  if (r != ERROR_SUCCESS) {
    state->failure = {r, "MsiSetExternalUIRecord", Utf8(state->target)};
    return;
  }
  const wchar_t* commandLine = state->commandLine.empty() ? nullptr : state->commandLine.c_str();
  switch (state->op) {
    case RunOp::Install:
    case RunOp::Admin:
      state->exitCode = api.InstallProduct(state->target.c_str(), commandLine);
      break;
    case RunOp::Uninstall:
      state->exitCode = api.ConfigureProductEx(state->target.c_str(), INSTALLLEVEL_DEFAULT, INSTALLSTATE_ABSENT, commandLine);
      break;
  }
}

/** Lives with the threadsafe function; touched on the JS thread only. */
struct JsSide {
  std::shared_ptr<RunState> state;
  napi_env env = nullptr;
  napi_deferred deferred = nullptr;
  bool hookAdded = false;
};

void EnvCleanupHook(void* arg);

/** Runs on the JS thread for every message; env is null when the function is being torn down. */
void CallJs(napi_env env, napi_value onEvent, void* context, void* data) {
  std::unique_ptr<Message> m(static_cast<Message*>(data));
  auto* side = static_cast<JsSide*>(context);
  if (env == nullptr || !m) return;
  try {
    Napi::Env e(env);
    if (m->kind == Message::Done) {
      if (side->hookAdded) {
        napi_remove_env_cleanup_hook(env, EnvCleanupHook, side->state.get());
        side->hookAdded = false;
      }
      const RunState& s = *side->state;
      if (s.failure.failed()) {
        napi_reject_deferred(env, side->deferred, Win32Error(e, s.failure.code, s.failure.api, s.failure.target).Value());
      } else {
        napi_resolve_deferred(env, side->deferred, Napi::Number::New(e, s.exitCode));
      }
      side->deferred = nullptr;
      return;
    }
    Napi::Object o = Napi::Object::New(e);
    if (m->kind == Message::Progress) {
      o.Set("kind", "progress");
      Napi::Array fields = Napi::Array::New(e, 4);
      for (uint32_t f = 0; f < 4; ++f) fields.Set(f, Napi::Number::New(e, m->fields[f]));
      o.Set("fields", fields);
    } else if (m->kind == Message::Action) {
      o.Set("kind", "action");
      o.Set("action", JsString(e, m->action));
      o.Set("description", JsString(e, m->description));
    } else {
      o.Set("kind", "data");
    }
    napi_value argv[1] = {o};
    napi_value ignored = nullptr;
    napi_value global = nullptr;
    napi_get_global(env, &global);
    if (napi_call_function(env, global, onEvent, 1, argv, &ignored) != napi_ok) {
      // A failing progress listener must not stop or crash the installation.
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value error = nullptr;
        napi_get_and_clear_last_exception(env, &error);
      }
    }
  } catch (const Napi::Error&) {
    // The pending JS exception was taken by Napi::Error; nothing more to do.
  } catch (...) {
  }
}

/** Called on the JS thread once the installer thread released the function (or at teardown). */
void Finalize(napi_env env, void* data, void* hint) {
  std::unique_ptr<JsSide> side(static_cast<JsSide*>(data));
  RunState& s = *side->state;
  if (s.thread.joinable()) s.thread.join();
  if (env != nullptr && side->deferred != nullptr) {
    // Torn down before the installer said anything: the promise is settled so nothing waits on it.
    try {
      napi_value error = Napi::Error::New(Napi::Env(env), "the installation was abandoned: the JavaScript environment closed").Value();
      napi_reject_deferred(env, side->deferred, error);
    } catch (...) {
    }
  }
}

/**
 * The environment is going away (a worker terminated, the process exiting) while the installer
 * runs: the handler answers IDCANCEL from now on and never touches the threadsafe function again;
 * the rollback is waited for (bounded) so the process-wide settings are put back before the
 * environment's memory goes. Registered after the threadsafe function, so it runs before that
 * function is torn down (cleanup hooks run in reverse order).
 */
void EnvCleanupHook(void* arg) {
  auto* state = static_cast<RunState*>(arg);
  state->cancel.store(true);
  {
    std::lock_guard<std::mutex> lock(state->tsfnMutex);
    state->envGone = true;
  }
  std::unique_lock<std::mutex> lock(state->doneMutex);
  bool finished = state->doneSignal.wait_for(lock, std::chrono::minutes(2), [state] { return state->finished; });
  lock.unlock();
  if (!state->thread.joinable()) return;
  // The thread holds its own reference to the state: left running, it touches nothing else.
  if (finished) state->thread.join();
  else state->thread.detach();
}

Napi::Value MsiRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring opName = StringArg(info, 0, "operation");
  auto state = std::make_shared<RunState>();
  if (opName == L"install") state->op = RunOp::Install;
  else if (opName == L"uninstall") state->op = RunOp::Uninstall;
  else if (opName == L"admin") state->op = RunOp::Admin;
  else throw Napi::TypeError::New(env, "operation (argument 1) must be install, uninstall or admin");
  state->target = StringArg(info, 1, "target");
  state->commandLine = StringArg(info, 2, "command line");
  state->logFile = OptionalStringArg(info, 3, "log file", &state->hasLog);
  Napi::Function onEvent = FunctionArg(info, 4, "event callback");

  auto side = std::unique_ptr<JsSide>(new JsSide());
  side->state = state;
  side->env = env;
  napi_value promise = nullptr;
  if (napi_create_promise(env, &side->deferred, &promise) != napi_ok) throw Napi::Error::New(env);
  napi_value name = Napi::String::New(env, "mfa.msiRun");
  JsSide* sidePtr = side.get();
  napi_status s = napi_create_threadsafe_function(env, onEvent, nullptr, name, 0, 1, sidePtr, Finalize, sidePtr, CallJs, &state->tsfn);
  if (s != napi_ok) throw Napi::Error::New(env, "napi_create_threadsafe_function failed");
  side.release();  // Finalize owns it now
  if (napi_add_env_cleanup_hook(env, EnvCleanupHook, state.get()) == napi_ok) sidePtr->hookAdded = true;

  try {
    state->thread = std::thread([state]() {
      try {
        RunInstaller(state);
      } catch (...) {
        // Out of memory building a message or a name: the settings guard has run; report it.
        if (!state->failure.failed()) state->failure.code = ERROR_NOT_ENOUGH_MEMORY;
        if (state->failure.api.empty()) state->failure.api = "msiRun";
      }
      {
        std::lock_guard<std::mutex> lock(state->doneMutex);
        state->finished = true;
      }
      state->doneSignal.notify_all();
      std::unique_ptr<Message> done(new Message());
      done->kind = Message::Done;
      std::lock_guard<std::mutex> lock(state->tsfnMutex);
      if (state->envGone) return;
      if (napi_call_threadsafe_function(state->tsfn, done.get(), napi_tsfn_nonblocking) == napi_ok) done.release();
      napi_release_threadsafe_function(state->tsfn, napi_tsfn_release);
    });
  } catch (const std::system_error& e) {
    // No thread: settle through the same path the thread would have taken.
    state->failure = {ERROR_NOT_ENOUGH_MEMORY, "std::thread", e.what()};
    std::unique_ptr<Message> done(new Message());
    done->kind = Message::Done;
    if (napi_call_threadsafe_function(state->tsfn, done.get(), napi_tsfn_nonblocking) == napi_ok) done.release();
    napi_release_threadsafe_function(state->tsfn, napi_tsfn_release);
  }

  Napi::Object out = Napi::Object::New(env);
  out.Set("result", promise);
  out.Set("cancel", Napi::Function::New(
                        env, [state](const Napi::CallbackInfo& cb) -> Napi::Value {
                          state->cancel.store(true);
                          return cb.Env().Undefined();
                        },
                        "cancel"));
  return out;
}

}  // namespace

void InitMsi(Napi::Env env, Napi::Object exports) {
  exports.Set("msiProducts", Napi::Function::New(env, MsiProducts, "msiProducts"));
  exports.Set("msiRelated", Napi::Function::New(env, MsiRelated, "msiRelated"));
  exports.Set("msiReadPackage", Napi::Function::New(env, MsiReadPackage, "msiReadPackage"));
  exports.Set("msiRun", Napi::Function::New(env, MsiRun, "msiRun"));
}

}  // namespace mfa
