package phone

// PublishMicError tells subscribers that the microphone does not work
// (MIC_ERROR), with message, a sentence for a person saying what is wrong
// and, when it can, what to do. The engine never opens a microphone
// itself: the program that does (the window's devices, the local API's
// microphone check) reports through here, so the window and the local API
// see it in the same stream as the calls.
func (p *Phone) PublishMicError(message string) {
	p.emit(Event{Type: EventMicError, Message: message})
}

// PublishError tells subscribers of a problem outside any call's
// signalling (ERROR), such as a speaker that does not open, with message,
// a sentence for a person.
func (p *Phone) PublishError(message string) {
	p.emit(Event{Type: EventError, Message: message})
}
