package gui

import "testing"

func TestCleanDialString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+84 (977) 805-845", "+84977805845"},
		{"090.123.4567", "0901234567"},
		{"sip:1002@pbx", "sip:1002@pbx"},
		{"SIPS:1002@pbx.example.com", "SIPS:1002@pbx.example.com"},
		{"1002@pbx", "1002@pbx"},
		{"  sip:1002@pbx \n", "sip:1002@pbx"},
		{"call me on 1002 please", "1002"},
		{"ABC-DEF", ""},
		{"*97#", "*97#"},
		{"1+2", "12"},
		{"++84 9", "+849"},
		{"+ 84", "+84"},
		{"tel:+84-977-805-845", "+84977805845"},
		{"tel:1002;phone-context=example.com", "1002"},
		{"0901\u00a0234\t567", "0901234567"},
		{"", ""},
	} {
		if got := cleanDialString(tc.in); got != tc.want {
			t.Errorf("cleanDialString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
