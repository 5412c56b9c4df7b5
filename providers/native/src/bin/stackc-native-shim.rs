//! The shim as its own small executable, for tests and benchmarks of this crate (the CLI
//! runs the same code as the hidden `stackc shim` subcommand):
//! `stackc-native-shim --root <dir> <container id>`.

fn main() -> std::process::ExitCode {
    stackc_provider_native::shim_main_args(std::env::args_os().skip(1))
}
