{
  # The native addon (native/*.cc) is Windows-only. With MSVC on Windows, `node-gyp rebuild` (or
  # `npm run build:native`, which calls prebuildify) builds it with the hardening flags Microsoft's
  # own Node addons use (@vscode/windows-registry, node-pty) and more:
  #   compiler: /sdl (extra security checks), /guard:cf (Control Flow Guard), Spectre mitigation,
  #             narrowing conversions as errors (/we4244 /we4267 /we4146), SHA-256 source hashes,
  #             /Brepro and /pathmap (no timestamps, no build paths: reproducible);
  #   linker:   /guard:cf, /CETCOMPAT (hardware shadow stacks), /DYNAMICBASE /HIGHENTROPYVA
  #             /NXCOMPAT, /DEPENDENTLOADFLAG:0x800 (the addon's own imports from System32 only,
  #             Windows 10 1607 and later; msi.dll is loaded by its System32 path at run time
  #             anyway, and the only static imports are KnownDLLs), /Brepro.
  # These flags are written here but have NOT been built on these machines (no MSVC here): the
  # shipped prebuilds are the reproducible mingw-w64 cross build (scripts/build-native.mjs).
  # NAPI_VERSION 5: one build loads in Node 12.16.1 (Windows Server 2008 to 2012) and Node 20.
  # Elsewhere the target is of type 'none': nothing is compiled, nothing can be loaded by mistake.
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
          "defines": ["NAPI_VERSION=5", "UNICODE", "_UNICODE", "WIN32_LEAN_AND_MEAN", "_WIN32_WINNT=0x0601"],
          "libraries": ["advapi32.lib"],
          "msvs_configuration_attributes": {
            "SpectreMitigation": "Spectre"
          },
          "msvs_settings": {
            "VCCLCompilerTool": {
              "AdditionalOptions": [
                "/sdl", "/guard:cf", "/Qspectre", "/W3", "/we4244", "/we4267", "/we4146",
                "/ZH:SHA_256", "/std:c++17", "/Brepro", "/pathmap:<(module_root_dir)=."
              ]
            },
            "VCLinkerTool": {
              "AdditionalOptions": [
                "/guard:cf", "/CETCOMPAT", "/DYNAMICBASE", "/HIGHENTROPYVA", "/NXCOMPAT",
                "/DEPENDENTLOADFLAG:0x800", "/Brepro", "/INCREMENTAL:NO", "/OPT:REF", "/OPT:ICF",
                "/PDBALTPATH:%_PDB%"
              ]
            }
          }
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
