package human

import "testing"

func TestMessage(t *testing.T) {
	tests := []struct {
		code     int
		register bool
		want     string
	}{
		{404, false, "The number is unreachable"},
		{486, false, "The customer is busy"},
		{408, false, "No answer, or a network error"},
		{403, false, "The call is not allowed (check your account or credit)"},
		{487, false, "The call was cancelled or not answered"},
		{480, false, "The customer is temporarily unavailable"},
		{503, false, "The service is unavailable"},
		{500, false, "The service is unavailable"},
		{488, false, "The call's audio or video settings were not accepted"},
		{401, true, "Wrong username or password"},
		{407, true, "Wrong username or password"},
		{403, true, "Wrong username or password"},
		{603, false, "The call was declined"},
		{499, false, "The call was refused"},
		{0, false, "The call could not be set up"},
	}
	for _, tt := range tests {
		if got := Message(tt.code, tt.register); got != tt.want {
			t.Errorf("Message(%d, %v) = %q, want %q", tt.code, tt.register, got, tt.want)
		}
	}
}
