// Registry: read every value kind (returned raw: { type, data } with the bytes as stored, decoded
// in TypeScript), enumerate keys and values, write, delete; the 64-bit or 32-bit view
// (KEY_WOW64_64KEY / KEY_WOW64_32KEY). A missing key or value reads as undefined.
//
// JS: regRead(root, path, view, name) -> { type, data } | undefined
//     regValues(root, path, view)     -> Array<{ name, type, data }> | undefined
//     regSubkeys(root, path, view)    -> string[] | undefined
//     regExists(root, path, view)     -> boolean
//     regWrite(root, path, view, name, type, data: Buffer) -> undefined
//     regDeleteValue(root, path, view, name) -> boolean (false: it was not there)
//     regDeleteKey(root, path, view)  -> boolean (false: it was not there)
// root: "HKLM" | "HKCU" | "HKCR" | "HKU" | "HKCC"; view: 64 | 32.
#include "common.h"

namespace mfa {
namespace {

struct KeyRef {
  HKEY root;
  std::wstring rootName;
  std::wstring path;
  REGSAM view;
  std::string Display() const {
    std::wstring full = rootName;
    if (!path.empty()) full += L"\\" + path;
    return Utf8(full) + (view == KEY_WOW64_32KEY ? " (32-bit view)" : "");
  }
};

class Key {
 public:
  Key() = default;
  ~Key() {
    if (h_) RegCloseKey(h_);
  }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  HKEY* out() { return &h_; }
  HKEY get() const { return h_; }

 private:
  HKEY h_ = nullptr;
};

KeyRef KeyArgs(const Napi::CallbackInfo& info) {
  KeyRef ref;
  ref.rootName = StringArg(info, 0, "root");
  const std::wstring& r = ref.rootName;
  if (r == L"HKLM") ref.root = HKEY_LOCAL_MACHINE;
  else if (r == L"HKCU") ref.root = HKEY_CURRENT_USER;
  else if (r == L"HKCR") ref.root = HKEY_CLASSES_ROOT;
  else if (r == L"HKU") ref.root = HKEY_USERS;
  else if (r == L"HKCC") ref.root = HKEY_CURRENT_CONFIG;
  else throw Napi::TypeError::New(info.Env(), "root (argument 1) must be one of HKLM, HKCU, HKCR, HKU, HKCC");
  ref.path = StringArg(info, 1, "key path");
  int32_t view = IntArg(info, 2, "view");
  if (view == 64) ref.view = KEY_WOW64_64KEY;
  else if (view == 32) ref.view = KEY_WOW64_32KEY;
  else throw Napi::TypeError::New(info.Env(), "view (argument 3) must be 64 or 32");
  return ref;
}

/** Opens the key; false when it does not exist; throws on any other failure. */
bool OpenKey(Napi::Env env, const KeyRef& ref, REGSAM access, Key* key) {
  LSTATUS s = RegOpenKeyExW(ref.root, ref.path.c_str(), 0, access | ref.view, key->out());
  if (s == ERROR_FILE_NOT_FOUND) return false;
  if (s != ERROR_SUCCESS) ThrowWin32(env, static_cast<DWORD>(s), "RegOpenKeyExW", ref.Display());
  return true;
}

Napi::Object ValueObject(Napi::Env env, DWORD type, const std::vector<BYTE>& data, DWORD size) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("type", Napi::Number::New(env, type));
  o.Set("data", Napi::Buffer<uint8_t>::Copy(env, data.data(), size));
  return o;
}

Napi::Value JsRegRead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeyRef ref = KeyArgs(info);
  std::wstring name = StringArg(info, 3, "value name");
  Key key;
  if (!OpenKey(env, ref, KEY_QUERY_VALUE, &key)) return env.Undefined();
  std::vector<BYTE> data(256);
  for (int attempt = 0; attempt < 8; ++attempt) {
    DWORD type = 0;
    DWORD size = static_cast<DWORD>(data.size());
    LSTATUS s = RegQueryValueExW(key.get(), name.c_str(), nullptr, &type, data.data(), &size);
    if (s == ERROR_FILE_NOT_FOUND) return env.Undefined();
    if (s == ERROR_MORE_DATA) {
      data.resize(size + 2);
      continue;  // the value may grow between calls: ask again
    }
    if (s != ERROR_SUCCESS) ThrowWin32(env, static_cast<DWORD>(s), "RegQueryValueExW", ref.Display() + " [" + Utf8(name) + "]");
    return ValueObject(env, type, data, size);
  }
  ThrowWin32(env, ERROR_MORE_DATA, "RegQueryValueExW", ref.Display() + " [" + Utf8(name) + "]");
}

Napi::Value JsRegValues(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeyRef ref = KeyArgs(info);
  Key key;
  if (!OpenKey(env, ref, KEY_QUERY_VALUE, &key)) return env.Undefined();
  DWORD count = 0, maxName = 0, maxData = 0;
  LSTATUS s = RegQueryInfoKeyW(key.get(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &count, &maxName, &maxData, nullptr, nullptr);
  if (s != ERROR_SUCCESS) ThrowWin32(env, static_cast<DWORD>(s), "RegQueryInfoKeyW", ref.Display());
  Napi::Array out = Napi::Array::New(env);
  std::vector<wchar_t> name(maxName + 2);
  std::vector<BYTE> data(maxData + 2);
  uint32_t n = 0;
  for (DWORD i = 0;; ++i) {
    DWORD nameLen = static_cast<DWORD>(name.size());
    DWORD size = static_cast<DWORD>(data.size());
    DWORD type = 0;
    s = RegEnumValueW(key.get(), i, name.data(), &nameLen, nullptr, &type, data.data(), &size);
    if (s == ERROR_NO_MORE_ITEMS) break;
    if (s == ERROR_MORE_DATA) {
      // Grew since RegQueryInfoKeyW: enlarge both buffers and read this index again.
      name.resize(name.size() * 2 + 256);
      data.resize((size > data.size() ? size : data.size() * 2) + 2);
      --i;
      continue;
    }
    if (s != ERROR_SUCCESS) ThrowWin32(env, static_cast<DWORD>(s), "RegEnumValueW", ref.Display());
    Napi::Object o = ValueObject(env, type, data, size);
    o.Set("name", JsString(env, std::wstring(name.data(), nameLen)));
    out.Set(n++, o);
  }
  return out;
}

Napi::Value JsRegSubkeys(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeyRef ref = KeyArgs(info);
  Key key;
  if (!OpenKey(env, ref, KEY_ENUMERATE_SUB_KEYS, &key)) return env.Undefined();
  Napi::Array out = Napi::Array::New(env);
  wchar_t name[256];  // key names are at most 255 characters
  uint32_t n = 0;
  for (DWORD i = 0;; ++i) {
    DWORD len = 256;
    LSTATUS s = RegEnumKeyExW(key.get(), i, name, &len, nullptr, nullptr, nullptr, nullptr);
    if (s == ERROR_NO_MORE_ITEMS) break;
    if (s != ERROR_SUCCESS) ThrowWin32(env, static_cast<DWORD>(s), "RegEnumKeyExW", ref.Display());
    out.Set(n++, JsString(env, std::wstring(name, len)));
  }
  return out;
}

Napi::Value JsRegExists(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeyRef ref = KeyArgs(info);
  Key key;
  return Napi::Boolean::New(env, OpenKey(env, ref, KEY_QUERY_VALUE, &key));
}

Napi::Value JsRegWrite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeyRef ref = KeyArgs(info);
  std::wstring name = StringArg(info, 3, "value name");
  int32_t type = IntArg(info, 4, "value type");
  if (type < 0) throw Napi::TypeError::New(env, "value type (argument 5) must not be negative");
  Napi::Buffer<uint8_t> data = BufferArg(info, 5, "value data");
  if (data.Length() > 0x7fffffff) throw Napi::RangeError::New(env, "value data is too large");
  Key key;
  LSTATUS s = RegCreateKeyExW(ref.root, ref.path.c_str(), 0, nullptr, REG_OPTION_NON_VOLATILE, KEY_SET_VALUE | ref.view, nullptr, key.out(), nullptr);
  if (s != ERROR_SUCCESS) ThrowWin32(env, static_cast<DWORD>(s), "RegCreateKeyExW", ref.Display());
  s = RegSetValueExW(key.get(), name.c_str(), 0, static_cast<DWORD>(type), data.Data(), static_cast<DWORD>(data.Length()));
  if (s != ERROR_SUCCESS) ThrowWin32(env, static_cast<DWORD>(s), "RegSetValueExW", ref.Display() + " [" + Utf8(name) + "]");
  return env.Undefined();
}

Napi::Value JsRegDeleteValue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeyRef ref = KeyArgs(info);
  std::wstring name = StringArg(info, 3, "value name");
  Key key;
  if (!OpenKey(env, ref, KEY_SET_VALUE, &key)) return Napi::Boolean::New(env, false);
  LSTATUS s = RegDeleteValueW(key.get(), name.c_str());
  if (s == ERROR_FILE_NOT_FOUND) return Napi::Boolean::New(env, false);
  if (s != ERROR_SUCCESS) ThrowWin32(env, static_cast<DWORD>(s), "RegDeleteValueW", ref.Display() + " [" + Utf8(name) + "]");
  return Napi::Boolean::New(env, true);
}

Napi::Value JsRegDeleteKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  KeyRef ref = KeyArgs(info);
  if (ref.path.empty()) throw Napi::TypeError::New(env, "refusing to delete a registry root");
  Key key;
  if (!OpenKey(env, ref, DELETE | KEY_ENUMERATE_SUB_KEYS | KEY_QUERY_VALUE | KEY_SET_VALUE, &key)) {
    return Napi::Boolean::New(env, false);
  }
  // Everything below the key (RegDeleteTreeW works on the handle, so it stays in the view opened),
  // then the key itself, in the same view.
  LSTATUS s = RegDeleteTreeW(key.get(), nullptr);
  if (s != ERROR_SUCCESS && s != ERROR_FILE_NOT_FOUND) ThrowWin32(env, static_cast<DWORD>(s), "RegDeleteTreeW", ref.Display());
  s = RegDeleteKeyExW(ref.root, ref.path.c_str(), ref.view, 0);
  if (s == ERROR_FILE_NOT_FOUND) return Napi::Boolean::New(env, false);
  if (s != ERROR_SUCCESS) ThrowWin32(env, static_cast<DWORD>(s), "RegDeleteKeyExW", ref.Display());
  return Napi::Boolean::New(env, true);
}

}  // namespace

void InitRegistry(Napi::Env env, Napi::Object exports) {
  exports.Set("regRead", Napi::Function::New(env, JsRegRead, "regRead"));
  exports.Set("regValues", Napi::Function::New(env, JsRegValues, "regValues"));
  exports.Set("regSubkeys", Napi::Function::New(env, JsRegSubkeys, "regSubkeys"));
  exports.Set("regExists", Napi::Function::New(env, JsRegExists, "regExists"));
  exports.Set("regWrite", Napi::Function::New(env, JsRegWrite, "regWrite"));
  exports.Set("regDeleteValue", Napi::Function::New(env, JsRegDeleteValue, "regDeleteValue"));
  exports.Set("regDeleteKey", Napi::Function::New(env, JsRegDeleteKey, "regDeleteKey"));
}

}  // namespace mfa
