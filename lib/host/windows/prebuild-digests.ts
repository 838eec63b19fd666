// SHA-256 of the addons this package ships (prebuilds/<platform>-<arch>/node.napi.node), written by
// `npm run build:native -- --update-digests` (scripts/build-native.mjs). The loader maps only a file
// with one of these digests: a planted or altered DLL never runs. The cross build is reproducible,
// so CI's build must give the same bytes (the Windows tier checks it).
export const PREBUILD_DIGESTS: Readonly<Record<string, string>> = {
  'win32-ia32': '9237fc244350a2306925d216df4b6798402dae70e9b7822add5998f29301380a',
  'win32-x64': '18ac440ed547dd49acb36b30488b20209606dd142d6b69025de6fa2af493cf55',
};
