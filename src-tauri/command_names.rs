// The app's own commands, in one list: build.rs turns it into the app
// manifest (so each command is permission-checked), and a test checks that it
// matches the commands the invoke handler really registers.
&["app_info", "list_accounts", "add_account", "rename_account", "remove_account", "replace_account_key", "start_sync", "sync_now", "cancel_sync", "set_window_focused", "list_payments", "payment_currencies", "search_payments", "payment_detail", "open_in_dashboard", "jump", "overview", "list_holds", "capture_hold", "release_hold", "refund_payment", "resolve_operations", "list_operations", "list_refunds", "export_journal", "send_operation", "discard_operation"]
