const COMMANDS: &[&str] = include!("command_names.rs");

fn main() {
    let attributes = tauri_build::Attributes::new()
        // tauri.conf.json lives at the repository root, beside the workspace.
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build failed: {err:#}");
        std::process::exit(1);
    }
}
