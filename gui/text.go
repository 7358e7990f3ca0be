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
func txtNotRegistered() string  { return lang.L("Not registered") }
func txtRegistered() string     { return lang.L("Registered") }
func txtRegistering() string    { return lang.L("Registering…") }
func txtRegisterFailed() string { return lang.L("Registration failed") }
func txtRegisterFailedReason(reason string) string {
	return lang.L("{{.Reason}}. Click to try again.", map[string]any{"Reason": reason})
}

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
func txtCallFailed(number, reason string) string {
	return lang.L("Could not call {{.Number}}: {{.Error}}", map[string]any{"Number": number, "Error": reason})
}
func txtCallEnded(who, reason string) string {
	return lang.L("Call with {{.Who}} ended: {{.Reason}}", map[string]any{"Who": who, "Reason": reason})
}
func txtCallEndedPlain(who string) string {
	return lang.L("Call with {{.Who}} ended", map[string]any{"Who": who})
}
func txtCallEndedAfter(who, duration string) string {
	return lang.L("Call with {{.Who}} ended after {{.Duration}}", map[string]any{"Who": who, "Duration": duration})
}

// Call panel.

func txtStateDialing() string    { return lang.L("Calling…") }
func txtStateRinging() string    { return lang.L("Ringing…") }
func txtStateIncoming() string   { return lang.L("Incoming call") }
func txtStateConnected() string  { return lang.L("Connected") }
func txtStateOnHold() string     { return lang.L("On hold") }
func txtStateRemoteHold() string { return lang.L("Held by the other party") }
func txtStateEnded() string      { return lang.L("Call ended") }
func txtMute() string            { return lang.L("Mute") }
func txtUnmute() string          { return lang.L("Unmute") }
func txtHold() string            { return lang.L("Hold") }
func txtResume() string          { return lang.L("Resume") }
func txtKeypad() string          { return lang.L("Keypad") }
func txtTransfer() string        { return lang.L("Transfer") }
func txtHangUp() string          { return lang.L("Hang up") }
func txtAnswer() string          { return lang.L("Answer") }
func txtDecline() string         { return lang.L("Decline") }
func txtCancel() string          { return lang.L("Cancel") }
func txtTransferTitle() string   { return lang.L("Transfer the call") }
func txtTransferPrompt() string  { return lang.L("Number to transfer the call to:") }
func txtTransferring(number string) string {
	return lang.L("Transferring to {{.Number}}…", map[string]any{"Number": number})
}
func txtConsult() string          { return lang.L("Consult") }
func txtConsultTitle() string     { return lang.L("Consult before transferring") }
func txtConsultPrompt() string    { return lang.L("Number to call while this call waits on hold:") }
func txtCompleteTransfer() string { return lang.L("Complete transfer") }
func txtCancelTransfer() string   { return lang.L("Cancel transfer") }
func txtConsulting(number string) string {
	return lang.L("Consulting {{.Number}}…", map[string]any{"Number": number})
}
func txtTransferState(state string) string {
	switch state {
	case "trying":
		return lang.L("Transfer: trying…")
	case "ringing":
		return lang.L("Transfer: ringing…")
	case "accepted":
		return lang.L("Transfer: accepted")
	case "completed":
		return lang.L("Transfer: completed")
	case "failed":
		return lang.L("Transfer failed")
	}
	return lang.L("Transfer: {{.State}}", map[string]any{"State": state})
}

// txtWithKeys is a button's label with its keyboard shortcut.
func txtWithKeys(label, keys string) string {
	return lang.L("{{.Action}} ({{.Keys}})", map[string]any{"Action": label, "Keys": keys})
}
func txtDTMFSent(digits string) string {
	return lang.L("Sent: {{.Digits}}", map[string]any{"Digits": digits})
}
func txtActionFailed(reason string) string {
	return lang.L("That did not work: {{.Error}}", map[string]any{"Error": reason})
}
func txtCallerCard(name, company string) string {
	if company == "" || name == "" {
		return name + company
	}
	return lang.L("{{.Name}} · {{.Company}}", map[string]any{"Name": name, "Company": company})
}

func txtNoContact() string { return lang.L("No contact has this number") }
func txtLookupFailed(reason string) string {
	return lang.L("Caller lookup failed: {{.Reason}}", map[string]any{"Reason": reason})
}

// Incoming popup.

func txtIncomingTitle() string { return lang.L("Incoming call") }
func txtIncomingFrom(who string) string {
	return lang.L("Incoming call from {{.Who}}", map[string]any{"Who": who})
}

// Dialling confirmation (links handed over by the system).

func txtConfirmTitle() string { return lang.L("Place a call?") }
func txtConfirmDial(number, source string) string {
	if source == "" {
		return lang.L("Call {{.Number}}?", map[string]any{"Number": number})
	}
	return lang.L("Call {{.Number}}? (from {{.Source}})", map[string]any{"Number": number, "Source": source})
}

// SIP failures: the engine's English sentences are the keys.

func txtCause(message string) string { return lang.L(message) }
func txtSIPCode(code int, reason string) string {
	return lang.L("SIP {{.Code}} {{.Reason}}", map[string]any{"Code": code, "Reason": reason})
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

// Tabs.

func txtTabPhone() string    { return lang.L("Phone") }
func txtTabHistory() string  { return lang.L("History") }
func txtTabContacts() string { return lang.L("Contacts") }

// History tab.

func txtHistorySearch() string { return lang.L("Search number or name") }
func txtPrevious() string      { return lang.L("Previous") }
func txtNext() string          { return lang.L("Next") }
func txtPageOf(page, pages int) string {
	return lang.L("Page {{.Page}} of {{.Pages}}", map[string]any{"Page": page, "Pages": pages})
}
func txtNoCalls() string     { return lang.L("No calls found") }
func txtMissed() string      { return lang.L("Missed") }
func txtInterrupted() string { return lang.L("Interrupted") }
func txtInProgress() string  { return lang.L("In progress") }
func txtNotAnswered() string { return lang.L("Not answered") }
func txtHistoryFailed(reason string) string {
	return lang.L("Could not read the call history: {{.Error}}", map[string]any{"Error": reason})
}

// Contacts tab.

func txtContactsSearch() string { return lang.L("Search contacts") }
func txtNoContacts() string     { return lang.L("No contacts found") }
func txtContactNoNumber(name string) string {
	return lang.L("{{.Name}} has no phone number", map[string]any{"Name": name})
}
