{
  # The native addon (native/*.cc) is Windows-only. With MSVC on Windows, `node-gyp rebuild` (or
  # `npm run build:native`, which calls prebuildify) builds it with the hardening flags Microsoft's
  # own Node addons use (@vscode/windows-registry, windows-process-tree): Spectre mitigation,
  # Control Flow Guard, SHA-256 source hashes, narrowing conversions as warnings or errors.
  # Elsewhere the target is of type 'none': nothing is compiled, nothing can be loaded by mistake.
  # On Linux the Windows binaries are cross-built with mingw-w64 by scripts/build-native.mjs.
  "targets": [
    {
      "target_name": "mfa_upgrade",
      "conditions": [
        ["OS=='win'", {
          "type": "loadable_module",
          "sources": [
            "native/addon.cc",
            "native/common.cc",
            "native/registry.cc",
            "native/msi.cc",
            "native/services.cc",
            "native/files.cc",
            "native/system.cc"
          ],
          "dependencies": [
            "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
          ],
          "defines": ["NAPI_VERSION=8", "UNICODE", "_UNICODE", "WIN32_LEAN_AND_MEAN", "_WIN32_WINNT=0x0601"],
          "libraries": ["msi.lib", "advapi32.lib"],
          "msvs_configuration_attributes": {
            "SpectreMitigation": "Spectre"
          },
          "msvs_settings": {
            "VCCLCompilerTool": {
              "AdditionalOptions": ["/guard:cf", "/W3", "/w34244", "/we4267", "/ZH:SHA_256", "/std:c++17"]
            },
            "VCLinkerTool": {
              "AdditionalOptions": ["/guard:cf", "/DYNAMICBASE", "/NXCOMPAT"]
            }
          }
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
