// Package human turns SIP failure codes into the sentences an agent reads.
//
// The texts follow the tables PBX vendors give their webphone users
// (DESIGN.md, "Human messages for SIP failures"). They are English message
// texts that also serve as translation keys for the GUI.
package human

// Message returns the sentence for a final SIP status code that ended or
// refused a call. register says whether the code answered a REGISTER, where
// 401/407/403 mean wrong credentials rather than a refused call.
func Message(code int, register bool) string {
	if register {
		switch code {
		case 401, 407, 403:
			return "Wrong username or password"
		case 404:
			return "The server does not know this account"
		case 408:
			return "The server did not answer"
		case 423:
			return "The server wants a longer registration interval"
		}
	}
	switch code {
	case 0:
		return "The call could not be set up"
	case 200:
		return "Call ended"
	case 404, 484, 604:
		return "The number is unreachable"
	case 486, 600:
		return "The customer is busy"
	case 408:
		return "No answer, or a network error"
	case 403, 402:
		return "The call is not allowed (check your account or credit)"
	case 487:
		return "The call was cancelled or not answered"
	case 480:
		return "The customer is temporarily unavailable"
	case 488, 606:
		return "The call's audio or video settings were not accepted"
	case 401, 407:
		return "Wrong username or password"
	case 603:
		return "The call was declined"
	case 410:
		return "The number has changed"
	case 481:
		return "The call no longer exists"
	case 482, 483:
		return "The call looped in the network"
	}
	switch {
	case code >= 500 && code < 600:
		return "The service is unavailable"
	case code >= 300 && code < 400:
		return "The call was redirected too often"
	case code >= 400 && code < 500:
		return "The call was refused"
	case code >= 600:
		return "The call was declined"
	}
	return "The call ended"
}
