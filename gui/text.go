package gui

import (
	"fyne.io/fyne/v2/lang"
)

// Every string the window shows is here, each behind a function so that lang.L
// runs when the text is shown (after translations are loaded) and so that
// `fyne translate` finds each key as a literal. The key is the English text.

// Account chip.

func txtNoAccount() string { return lang.L("No account") }
func txtNoAccountHint() string {
	return lang.L("Calls need a SIP account")
}
func txtAddAccount() string { return lang.L("Add account") }
func txtNoEngine() string {
	return lang.L("Not registered (SIP engine not in this build)")
}
func txtRegistrationUnknown() string { return lang.L("Registration status not shown yet") }

// Dialpad.

func txtNumberPlaceholder() string { return lang.L("Number or SIP address") }
func txtCall() string              { return lang.L("Call") }
func txtVideo() string             { return lang.L("Video") }
func txtEnterNumber() string       { return lang.L("Enter a number to call.") }
func txtCallingUnavailable() string {
	return lang.L("Calling is not available in this build: it has no SIP engine yet.")
}
func txtCalling(number string) string {
	return lang.L("Calling {{.Number}}…", map[string]any{"Number": number})
}
func txtCallFailed(number string, err error) string {
	return lang.L("Could not call {{.Number}}: {{.Error}}", map[string]any{"Number": number, "Error": err.Error()})
}

// Configuration error banner.

func txtConfigErrTitle() string { return lang.L("The configuration file could not be loaded") }
func txtConfigErrHint(path string) string {
	return lang.L("Fix {{.Path}} in a text editor and start Ringdesk again. Ringdesk will not change the file while it has errors.",
		map[string]any{"Path": path})
}

func txtConfigErrHintShort() string {
	return lang.L("Fix the file in a text editor and start Ringdesk again. Ringdesk will not change the file while it has errors.")
}

// First-run account form.

func txtFormTitle() string { return lang.L("Set up your SIP account") }
func txtFormIntro() string {
	return lang.L("Enter the details your PBX administrator gave you. The password is kept in the system keyring, not in the configuration file.")
}
func txtDisplayName() string            { return lang.L("Display name") }
func txtDisplayNamePlaceholder() string { return lang.L("Agent 1001") }
func txtDisplayNameHint() string        { return lang.L("Optional: the name the people you call see") }
func txtExtension() string              { return lang.L("Extension") }
func txtAuthUsername() string           { return lang.L("Auth username") }
func txtAuthUsernamePlaceholder() string {
	return lang.L("Same as the extension")
}
func txtPassword() string      { return lang.L("Password") }
func txtPasswordIsHA1() string { return lang.L("This is an HA1 hash, not the password") }
func txtDomain() string        { return lang.L("Domain") }
func txtTransport() string     { return lang.L("Transport") }
func txtServer() string        { return lang.L("Server") }
func txtServerHint() string {
	return lang.L("Optional: leave empty to use the domain")
}
func txtSave() string   { return lang.L("Save") }
func txtSaving() string { return lang.L("Saving…") }
func txtSkip() string   { return lang.L("Skip") }
func txtNeedExtension() string {
	return lang.L("Enter the extension (your SIP username).")
}
func txtNeedDomain() string { return lang.L("Enter the domain of your PBX.") }
func txtSaveFailed(err error) string {
	return lang.L("Could not save the account: {{.Error}}", map[string]any{"Error": err.Error()})
}
