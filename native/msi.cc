// Windows Installer: products (machine and per-user contexts) with their properties, related
// products by UpgradeCode, a package's Property table and platform, and install / uninstall /
// administrative install with a verbose log and progress from the external UI handler.
//
// JS: msiProducts()                       -> Promise<Array<{ productCode, context, userSid, name,
//                                              version, publisher, installLocation, localPackage,
//                                              upgradeCode }>>
//     msiRelated(upgradeCode)             -> string[]
//     msiReadPackage(path)                -> Promise<{ properties: {[name]: value}, template }>
//     msiRun(op, target, commandLine, logFile | null, onEvent) -> Promise<number>
//        op: "install" (target: package path), "uninstall" (target: ProductCode),
//            "admin" (target: package path; the command line carries ACTION=ADMIN TARGETDIR=...).
//        onEvent({ kind: "progress", fields: [f1, f2, f3, f4] } | { kind: "action", action,
//        description } | { kind: "data" }) runs on the JS thread while the installer works on a
//        worker thread. The promise resolves with the installer's result code as it is
//        (0, 3010, 1602, 1603, 1605, 1618, ...): policy lives in TypeScript.
#include "common.h"

#include <msi.h>
#include <msiquery.h>

#include <mutex>

#ifndef PID_TEMPLATE
#define PID_TEMPLATE 7
#endif

namespace mfa {
namespace {

class MsiHandle {
 public:
  MsiHandle() = default;
  ~MsiHandle() {
    if (h_) MsiCloseHandle(h_);
  }
  MsiHandle(const MsiHandle&) = delete;
  MsiHandle& operator=(const MsiHandle&) = delete;
  MSIHANDLE* out() { return &h_; }
  MSIHANDLE get() const { return h_; }

 private:
  MSIHANDLE h_ = 0;
};

std::wstring RecordString(MSIHANDLE record, UINT field) {
  wchar_t small[256];
  DWORD len = 256;
  UINT r = MsiRecordGetStringW(record, field, small, &len);
  if (r == ERROR_SUCCESS) return std::wstring(small, len);
  if (r != ERROR_MORE_DATA) return std::wstring();
  std::wstring big(static_cast<size_t>(len) + 1, L'\0');
  len += 1;
  r = MsiRecordGetStringW(record, field, &big[0], &len);
  if (r != ERROR_SUCCESS) return std::wstring();
  big.resize(len);
  return big;
}

/** A product property; empty when the installer does not know it for this product. */
std::wstring ProductInfo(const wchar_t* code, const wchar_t* sid, MSIINSTALLCONTEXT context, const wchar_t* property) {
  std::wstring value(512, L'\0');
  for (int attempt = 0; attempt < 4; ++attempt) {
    DWORD len = static_cast<DWORD>(value.size());
    UINT r = MsiGetProductInfoExW(code, sid, context, property, &value[0], &len);
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
  std::wstring query = L"SELECT `Property`, `Value` FROM `Property`";
  if (only) query += std::wstring(L" WHERE `Property` = '") + only + L"'";
  MsiHandle view;
  UINT r = MsiDatabaseOpenViewW(db, query.c_str(), view.out());
  if (r != ERROR_SUCCESS) return r;
  r = MsiViewExecute(view.get(), 0);
  if (r != ERROR_SUCCESS) return r;
  for (;;) {
    MsiHandle record;
    r = MsiViewFetch(view.get(), record.out());
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
  if (MsiOpenDatabaseW(package.c_str(), MSIDBOPEN_READONLY, db.out()) != ERROR_SUCCESS) return std::wstring();
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

  void Execute() override {
    // Every user's products need "s-1-1-0" (Everyone), which only an administrator may ask for;
    // otherwise fall back to this user's and the machine's.
    if (!Enumerate(L"s-1-1-0")) {
      products_.clear();
      failure_ = Failure();
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
      UINT r = MsiEnumProductsExW(nullptr, user, MSIINSTALLCONTEXT_ALL, i, code, &context, sid, &sidLen);
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
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (DWORD i = 0;; ++i) {
    wchar_t code[39];
    UINT r = MsiEnumRelatedProductsW(upgradeCode.c_str(), 0, i, code);
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

  void Execute() override {
    MsiHandle db;
    UINT r = MsiOpenDatabaseW(path_.c_str(), MSIDBOPEN_READONLY, db.out());
    if (r != ERROR_SUCCESS) return Fail(r, "MsiOpenDatabaseW", Utf8(path_));
    r = ReadProperties(db.get(), nullptr, &properties_);
    if (r != ERROR_SUCCESS) return Fail(r, "MsiViewFetch", Utf8(path_) + " (Property table)");
    MsiHandle summary;
    r = MsiGetSummaryInformationW(db.get(), nullptr, 0, summary.out());
    if (r != ERROR_SUCCESS) return Fail(r, "MsiGetSummaryInformationW", Utf8(path_));
    std::wstring value(256, L'\0');
    for (int attempt = 0; attempt < 3; ++attempt) {
      UINT type = 0;
      INT number = 0;
      FILETIME time{};
      DWORD len = static_cast<DWORD>(value.size());
      r = MsiSummaryInfoGetPropertyW(summary.get(), PID_TEMPLATE, &type, &number, &time, &value[0], &len);
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

// ---- msiRun: install / uninstall / administrative install, with progress ----

struct MsiEvent {
  int kind = 0;  // 0 progress, 1 action start, 2 action data
  int fields[4] = {0, 0, 0, 0};
  std::wstring action;
  std::wstring description;
};

// The UI level, external handler and log are process-wide in Windows Installer (and only one
// installation runs at a time on a machine anyway): one operation at a time in this process.
std::mutex g_runMutex;

using Progress = Napi::AsyncProgressQueueWorker<MsiEvent>::ExecutionProgress;

INT CALLBACK UiHandler(LPVOID context, UINT messageType, MSIHANDLE record) {
  if (record == 0) return 0;
  const Progress* progress = static_cast<const Progress*>(context);
  MsiEvent e;
  switch (static_cast<INSTALLMESSAGE>(messageType & 0xFF000000u)) {
    case INSTALLMESSAGE_PROGRESS:
      e.kind = 0;
      for (UINT f = 1; f <= 4; ++f) {
        int v = MsiRecordGetInteger(record, f);  // MSI_NULL_INTEGER (0x80000000) when empty
        e.fields[f - 1] = v == static_cast<int>(MSI_NULL_INTEGER) ? 0 : v;
      }
      break;
    case INSTALLMESSAGE_ACTIONSTART:
      e.kind = 1;
      e.action = RecordString(record, 1);
      e.description = RecordString(record, 2);
      break;
    case INSTALLMESSAGE_ACTIONDATA:
      e.kind = 2;
      break;
    default:
      return 0;  // not handled: the installer's own (silent) handling applies
  }
  progress->Send(&e, 1);
  return IDOK;
}

enum class RunOp { Install, Uninstall, Admin };

class RunWorker : public Napi::AsyncProgressQueueWorker<MsiEvent> {
 public:
  RunWorker(Napi::Env env, Napi::Function onEvent, RunOp op, std::wstring target, std::wstring commandLine, std::wstring logFile, bool hasLog)
      : Napi::AsyncProgressQueueWorker<MsiEvent>(env, "mfa.msiRun"),
        deferred_(Napi::Promise::Deferred::New(env)),
        onEvent_(Napi::Persistent(onEvent)),
        op_(op),
        target_(std::move(target)),
        commandLine_(std::move(commandLine)),
        logFile_(std::move(logFile)),
        hasLog_(hasLog) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    std::lock_guard<std::mutex> lock(g_runMutex);
    INSTALLUILEVEL previousLevel = MsiSetInternalUI(INSTALLUILEVEL_NONE, nullptr);
    if (hasLog_) {
      DWORD mode = INSTALLLOGMODE_FATALEXIT | INSTALLLOGMODE_ERROR | INSTALLLOGMODE_WARNING | INSTALLLOGMODE_USER |
                   INSTALLLOGMODE_INFO | INSTALLLOGMODE_RESOLVESOURCE | INSTALLLOGMODE_OUTOFDISKSPACE |
                   INSTALLLOGMODE_ACTIONSTART | INSTALLLOGMODE_ACTIONDATA | INSTALLLOGMODE_COMMONDATA |
                   INSTALLLOGMODE_PROPERTYDUMP | INSTALLLOGMODE_VERBOSE;
      UINT r = MsiEnableLogW(mode, logFile_.c_str(), INSTALLLOGATTRIBUTES_FLUSHEACHLINE);
      if (r != ERROR_SUCCESS) {
        MsiSetInternalUI(previousLevel, nullptr);
        failure_ = {r, "MsiEnableLogW", Utf8(logFile_)};
        SetError("MsiEnableLogW");
        return;
      }
    }
    INSTALLUI_HANDLER_RECORD previousHandler = nullptr;
    DWORD filter = INSTALLLOGMODE_PROGRESS | INSTALLLOGMODE_ACTIONSTART | INSTALLLOGMODE_ACTIONDATA;
    UINT r = MsiSetExternalUIRecord(UiHandler, filter, const_cast<Progress*>(&progress), &previousHandler);
    if (r != ERROR_SUCCESS) {
      if (hasLog_) MsiEnableLogW(0, nullptr, 0);
      MsiSetInternalUI(previousLevel, nullptr);
      failure_ = {r, "MsiSetExternalUIRecord", Utf8(target_)};
      SetError("MsiSetExternalUIRecord");
      return;
    }
    const wchar_t* commandLine = commandLine_.empty() ? nullptr : commandLine_.c_str();
    switch (op_) {
      case RunOp::Install:
      case RunOp::Admin:
        exitCode_ = MsiInstallProductW(target_.c_str(), commandLine);
        break;
      case RunOp::Uninstall:
        exitCode_ = MsiConfigureProductExW(target_.c_str(), INSTALLLEVEL_DEFAULT, INSTALLSTATE_ABSENT, commandLine);
        break;
    }
    MsiSetExternalUIRecord(previousHandler, previousHandler ? filter : 0, nullptr, nullptr);
    if (hasLog_) MsiEnableLogW(0, nullptr, 0);
    MsiSetInternalUI(previousLevel, nullptr);
  }

  void OnProgress(const MsiEvent* events, size_t count) override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    for (size_t i = 0; i < count; ++i) {
      const MsiEvent& e = events[i];
      Napi::Object o = Napi::Object::New(env);
      if (e.kind == 0) {
        o.Set("kind", "progress");
        Napi::Array fields = Napi::Array::New(env, 4);
        for (uint32_t f = 0; f < 4; ++f) fields.Set(f, Napi::Number::New(env, e.fields[f]));
        o.Set("fields", fields);
      } else if (e.kind == 1) {
        o.Set("kind", "action");
        o.Set("action", JsString(env, e.action));
        o.Set("description", JsString(env, e.description));
      } else {
        o.Set("kind", "data");
      }
      try {
        onEvent_.Call({o});
      } catch (const Napi::Error&) {
        // A failing progress listener must not stop or crash the installation.
      }
    }
  }

  void OnOK() override { deferred_.Resolve(Napi::Number::New(Env(), exitCode_)); }

  void OnError(const Napi::Error& e) override {
    if (failure_.failed()) deferred_.Reject(Win32Error(Env(), failure_.code, failure_.api, failure_.target).Value());
    else deferred_.Reject(e.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::FunctionReference onEvent_;
  RunOp op_;
  std::wstring target_, commandLine_, logFile_;
  bool hasLog_;
  UINT exitCode_ = 0;
  Failure failure_;
};

Napi::Value MsiRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::wstring opName = StringArg(info, 0, "operation");
  RunOp op;
  if (opName == L"install") op = RunOp::Install;
  else if (opName == L"uninstall") op = RunOp::Uninstall;
  else if (opName == L"admin") op = RunOp::Admin;
  else throw Napi::TypeError::New(env, "operation (argument 1) must be install, uninstall or admin");
  std::wstring target = StringArg(info, 1, "target");
  std::wstring commandLine = StringArg(info, 2, "command line");
  bool hasLog = false;
  std::wstring logFile = OptionalStringArg(info, 3, "log file", &hasLog);
  Napi::Function onEvent = FunctionArg(info, 4, "event callback");
  auto* worker = new RunWorker(env, onEvent, op, std::move(target), std::move(commandLine), std::move(logFile), hasLog);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace

void InitMsi(Napi::Env env, Napi::Object exports) {
  exports.Set("msiProducts", Napi::Function::New(env, MsiProducts, "msiProducts"));
  exports.Set("msiRelated", Napi::Function::New(env, MsiRelated, "msiRelated"));
  exports.Set("msiReadPackage", Napi::Function::New(env, MsiReadPackage, "msiReadPackage"));
  exports.Set("msiRun", Napi::Function::New(env, MsiRun, "msiRun"));
}

}  // namespace mfa
