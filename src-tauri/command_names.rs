// The app's own commands, in one list: build.rs turns it into the app
// manifest (so each command is permission-checked), and a test checks that it
// matches the commands the invoke handler really registers.
&["app_info", "list_accounts", "add_account", "rename_account", "remove_account", "refresh_payments", "list_payments", "search_payments", "overview"]
