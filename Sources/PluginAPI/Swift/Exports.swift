// Swift plugins and the host see the C ABI through this module: `import PluginAPI` is enough.
@_exported import JoulePluginABI
