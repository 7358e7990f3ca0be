package gui

import (
	"fyne.io/fyne/v2/lang"
)

// The Settings tab's, the tray's and the completion's strings (see
// text.go).

func txtTabSettings() string     { return lang.L("Settings") }
func txtSectionAccounts() string { return lang.L("Accounts") }
func txtSectionAudio() string    { return lang.L("Audio devices") }
func txtSectionLookup() string   { return lang.L("Caller lookup") }
func txtSectionAPI() string      { return lang.L("Local API") }
func txtSectionGeneral() string  { return lang.L("Language and startup") }
func txtSectionKeyboard() string { return lang.L("Keyboard shortcuts") }
func txtSaveSettingsFailed(err error) string {
	return lang.L("Could not save the settings: {{.Error}}", map[string]any{"Error": err.Error()})
}
func txtSavedRestart() string {
	return lang.L("Saved. The change applies when Ringdesk starts again.")
}
func txtRestartToApply() string {
	return lang.L("Changes here apply when Ringdesk starts again.")
}

// Accounts.

func txtAccountID(id string) string {
	return lang.L("ID {{.ID}}", map[string]any{"ID": id})
}
func txtEdit() string   { return lang.L("Edit") }
func txtDelete() string { return lang.L("Delete") }
func txtAccountSaved(who string) string {
	return lang.L("Saved {{.Account}}.", map[string]any{"Account": who})
}
func txtAccountDeleted(who string) string {
	return lang.L("Deleted {{.Account}}.", map[string]any{"Account": who})
}
func txtDeleteFailed(err error) string {
	return lang.L("Could not delete the account: {{.Error}}", map[string]any{"Error": err.Error()})
}
func txtDeleteAccountTitle() string { return lang.L("Delete the account?") }
func txtDeleteAccountQuestion(who string) string {
	return lang.L("{{.Account}} and its password will be removed from this computer. The call history stays.",
		map[string]any{"Account": who})
}
func txtEditAccountTitle() string { return lang.L("Edit the account") }
func txtEditAccountIntro() string {
	return lang.L("Leave the password empty to keep the one saved in the system keyring.")
}
func txtAddAccountTitle() string { return lang.L("Add a SIP account") }
func txtPasswordKeep() string    { return lang.L("Unchanged") }
func txtTestRegistration() string {
	return lang.L("Test registration")
}
func txtTesting() string { return lang.L("Testing…") }
func txtTestingDetail() string {
	return lang.L("Registering with the server…")
}
func txtTestRegistered() string {
	return lang.L("Registered: the server accepted the account.")
}
func txtTestFailed(reason string) string {
	return lang.L("The test could not run: {{.Error}}", map[string]any{"Error": reason})
}
func txtTestNoVerdict() string {
	return lang.L("the server did not answer in time")
}

// Audio devices.

func txtNoAudioDevices() string {
	return lang.L("No audio devices in this build: calls use the system's default microphone and speaker.")
}
func txtMicrophone() string    { return lang.L("Microphone") }
func txtSpeaker() string       { return lang.L("Speaker") }
func txtRinger() string        { return lang.L("Ringer") }
func txtSystemDefault() string { return lang.L("System default") }
func txtMicHint() string {
	return lang.L("Speak: the bar should move.")
}
func txtTestTone() string { return lang.L("Test") }
func txtAudioSaved() string {
	return lang.L("Saved. New calls use these devices.")
}
func txtDevicesFailed(reason string) string {
	return lang.L("Could not list the audio devices: {{.Error}}", map[string]any{"Error": reason})
}
func txtMicFailed(reason string) string {
	return lang.L("Could not open the microphone: {{.Error}}", map[string]any{"Error": reason})
}
func txtToneFailed(reason string) string {
	return lang.L("Could not play the test tone: {{.Error}}", map[string]any{"Error": reason})
}

// Caller lookup.

func txtRegion() string { return lang.L("Region") }
func txtRegionHint() string {
	return lang.L("Two-letter country code for numbers dialled without +")
}
func txtLookupTimeout() string { return lang.L("Lookup timeout") }
func txtLookupTimeoutHint() string {
	return lang.L("How long to wait for the CRM, e.g. 1.5s")
}
func txtPopURL() string { return lang.L("Screen-pop URL") }
func txtPopURLHint() string {
	return lang.L("Opened in the browser; {e164} and {number} are the caller's number")
}
func txtPopOn() string       { return lang.L("Open the screen-pop") }
func txtPopOnRing() string   { return lang.L("When the call rings") }
func txtPopOnAnswer() string { return lang.L("When I answer") }
func txtPopOnNever() string  { return lang.L("Never") }
func txtProviders() string   { return lang.L("Providers") }
func txtNoProviders() string { return lang.L("No provider is configured.") }
func txtProvidersHint(path string) string {
	return lang.L("To change the providers, edit the [crm] section of {{.Path}}.", map[string]any{"Path": path})
}

// Local API.

func txtAPIToken() string { return lang.L("API token") }
func txtAPITokenHint() string {
	return lang.L("CRM pages and scripts send it to control Ringdesk")
}
func txtNoAPI() string       { return lang.L("The local API is not running.") }
func txtShow() string        { return lang.L("Show") }
func txtHide() string        { return lang.L("Hide") }
func txtCopy() string        { return lang.L("Copy") }
func txtRotate() string      { return lang.L("New token") }
func txtTokenCopied() string { return lang.L("The token is on the clipboard.") }
func txtRotateTitle() string { return lang.L("Make a new token?") }
func txtRotateQuestion() string {
	return lang.L("Pages and scripts using the current token stop working until they are given the new one.")
}
func txtTokenRotated() string {
	return lang.L("New token saved in the keyring and in use.")
}
func txtRotateFailed(reason string) string {
	return lang.L("Could not make a new token: {{.Error}}", map[string]any{"Error": reason})
}
func txtTokenFailed(reason string) string {
	return lang.L("Could not read the token: {{.Error}}", map[string]any{"Error": reason})
}
func txtOrigins() string { return lang.L("Trusted web pages") }
func txtOriginsHint() string {
	return lang.L("One origin a line, e.g. https://crm.example.com")
}

// Language and startup.

func txtLanguage() string       { return lang.L("Language") }
func txtSystemLanguage() string { return lang.L("System language") }
func txtLanguageHint() string {
	return lang.L("Applies when Ringdesk starts again")
}
func txtLanguageSaved() string {
	return lang.L("Saved. Restart Ringdesk to see the new language.")
}
func txtStartup() string      { return lang.L("Startup") }
func txtStartOnLogin() string { return lang.L("Start Ringdesk when I log in") }
func txtStartOnLoginHint() string {
	return lang.L("Ringdesk starts in the background, ready for calls")
}
func txtStartOnLoginUnsupported() string {
	return lang.L("Not available on this system yet")
}
func txtAutostartOn() string  { return lang.L("Ringdesk will start when you log in.") }
func txtAutostartOff() string { return lang.L("Ringdesk will not start when you log in.") }

// Keyboard shortcuts.

func txtFocusDial() string   { return lang.L("Go to the number field") }
func txtNextControl() string { return lang.L("Next button or field (Shift+Tab: previous)") }

// Tray.

func txtTrayShow() string { return lang.L("Show Ringdesk") }
func txtTrayHide() string { return lang.L("Hide Ringdesk") }
func txtDND() string      { return lang.L("Do Not Disturb") }
func txtQuit() string     { return lang.L("Quit") }
func txtTrayDNDState(state string) string {
	return lang.L("{{.State}}, Do Not Disturb", map[string]any{"State": state})
}
