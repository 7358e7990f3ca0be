package crm

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		raw, region                          string
		e164, national, nsn, digits, ext, rg string
	}{
		// Vietnam: mobile and Hanoi landline, every way PBXs and people write them.
		{"0977805845", "VN", "+84977805845", "0977805845", "977805845", "0977805845", "", "VN"},
		{"+84977805845", "VN", "+84977805845", "0977805845", "977805845", "+84977805845", "", "VN"},
		{"+84 97 780 58 45", "US", "+84977805845", "0977805845", "977805845", "+84977805845", "", "VN"},
		{"0084977805845", "VN", "+84977805845", "0977805845", "977805845", "0084977805845", "", "VN"},
		{"84977805845", "VN", "+84977805845", "0977805845", "977805845", "84977805845", "", "VN"},
		{"(+84) 977-805-845", "VN", "+84977805845", "0977805845", "977805845", "+84977805845", "", "VN"},
		{"sip:+84977805845@pbx.example.com;user=phone", "VN", "+84977805845", "0977805845", "977805845", "+84977805845", "", "VN"},
		{`"Jane" <sip:0977805845@pbx.example.com>`, "VN", "+84977805845", "0977805845", "977805845", "0977805845", "", "VN"},
		{"sip:%2B84977805845@pbx", "VN", "+84977805845", "0977805845", "977805845", "+84977805845", "", "VN"},
		{"024 3825 1234", "VN", "+842438251234", "02438251234", "2438251234", "02438251234", "", "VN"},
		// China: mobile and Beijing landline.
		{"13800138000", "CN", "+8613800138000", "13800138000", "13800138000", "13800138000", "", "CN"},
		{"+86 138 0013 8000", "VN", "+8613800138000", "13800138000", "13800138000", "+8613800138000", "", "CN"},
		{"010 1234 5678", "CN", "+861012345678", "01012345678", "1012345678", "01012345678", "", "CN"},
		{"0086 10 1234 5678", "CN", "+861012345678", "01012345678", "1012345678", "00861012345678", "", "CN"},
		// France, including the "(0)" people write after +33.
		{"01 23 45 67 89", "FR", "+33123456789", "0123456789", "123456789", "0123456789", "", "FR"},
		{"06.12.34.56.78", "FR", "+33612345678", "0612345678", "612345678", "0612345678", "", "FR"},
		{"+33 (0)6 12 34 56 78", "FR", "+33612345678", "0612345678", "612345678", "+330612345678", "", "FR"},
		{"0033 6 12 34 56 78", "FR", "+33612345678", "0612345678", "612345678", "0033612345678", "", "FR"},
		// United States, with extensions and the 011 international prefix.
		{"(201) 555-0123", "US", "+12015550123", "2015550123", "2015550123", "2015550123", "", "US"},
		{"1-201-555-0123", "US", "+12015550123", "2015550123", "2015550123", "12015550123", "", "US"},
		{"+1 201-555-0123 ext. 45", "US", "+12015550123", "2015550123", "2015550123", "+12015550123", "45", "US"},
		{"201 555 0123 x7", "US", "+12015550123", "2015550123", "2015550123", "2015550123", "7", "US"},
		{"tel:+1-201-555-0123;ext=45", "", "+12015550123", "2015550123", "2015550123", "+12015550123", "45", "US"},
		{"011 84 977 805 845", "US", "+84977805845", "0977805845", "977805845", "01184977805845", "", "VN"},
		{"1-800-FLOWERS", "US", "+18003569377", "8003569377", "8003569377", "+18003569377", "", "US"},
	}
	for _, tt := range tests {
		t.Run(tt.raw+"/"+tt.region, func(t *testing.T) {
			n, err := Normalize(tt.raw, tt.region)
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			if n.E164 != tt.e164 || n.National != tt.national || n.NSN != tt.nsn || n.Digits != tt.digits ||
				n.Extension != tt.ext || n.Region != tt.rg || n.Internal || n.Raw != tt.raw {
				t.Errorf("Normalize = %+v\nwant e164=%s national=%s nsn=%s digits=%s ext=%q region=%s",
					n, tt.e164, tt.national, tt.nsn, tt.digits, tt.ext, tt.rg)
			}
			if n.Key() != tt.e164 {
				t.Errorf("Key = %s, want %s", n.Key(), tt.e164)
			}
		})
	}
}

func TestNormalizeSameNumberSameKey(t *testing.T) {
	forms := []string{"0977805845", "+84977805845", "0084977805845", "84 977 805 845", "sip:0977805845@pbx", "tel:+84-977-805-845"}
	for _, f := range forms {
		n, err := Normalize(f, "VN")
		if err != nil || n.Key() != "+84977805845" {
			t.Errorf("Normalize(%q) = %v, %v; want key +84977805845", f, n.Key(), err)
		}
	}
}

func TestNormalizeInternal(t *testing.T) {
	tests := []struct{ raw, region, digits, ext string }{
		{"1002", "VN", "1002", ""},
		{"sip:1002@pbx.example.com", "VN", "1002", ""},
		{"<sip:1002@pbx.example.com;transport=ws>", "US", "1002", ""},
		{"123456", "FR", "123456", ""},
		{"*97", "", "*97", ""},
		{"#31#0977", "VN", "#31#0977", ""},
		{"1002", "", "1002", ""},
	}
	for _, tt := range tests {
		n, err := Normalize(tt.raw, tt.region)
		if err != nil {
			t.Errorf("Normalize(%q): %v", tt.raw, err)
			continue
		}
		if !n.Internal || n.Digits != tt.digits || n.National != tt.digits || n.E164 != "" || n.Key() != tt.digits {
			t.Errorf("Normalize(%q) = %+v, want internal %s", tt.raw, n, tt.digits)
		}
	}
}

func TestNormalizeWithoutRegion(t *testing.T) {
	n, err := Normalize("0977805845", "")
	if err != nil {
		t.Fatal(err)
	}
	if n.E164 != "" || n.Digits != "0977805845" || n.Key() != "0977805845" {
		t.Errorf("without a region = %+v, want digits only", n)
	}
	n, err = Normalize("+84977805845", "")
	if err != nil || n.E164 != "+84977805845" {
		t.Errorf("+84 without a region = %+v, %v", n, err)
	}
}

func TestNormalizeGarbage(t *testing.T) {
	tests := []struct{ raw, region, want string }{
		{"", "VN", "no number was given"},
		{"   ", "VN", "no number was given"},
		{"anonymous", "VN", `"anonymous" is a name, not a number`},
		{"Anonymous <sip:anonymous@anonymous.invalid>", "VN", `"anonymous" is a name, not a number`},
		{"sip:alice@pbx.example.com", "VN", `"alice" is a name`},
		{"+", "VN", "holds no digits"},
		{"12-ab-34", "VN", "not a phone number"},
		{"12345678901234567890", "VN", "is too long to be a phone number"},
		{"+999 1234567", "VN", "starts with a country code that does not exist"},
		{"+84 12", "VN", "is too short for a number in VN"},
		{"abc1234567", "", "has letters and no region"},
	}
	for _, tt := range tests {
		n, err := Normalize(tt.raw, tt.region)
		if err == nil {
			t.Errorf("Normalize(%q) = %+v, want an error", tt.raw, n)
			continue
		}
		if !errors.Is(err, ErrNotANumber) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Normalize(%q) error = %q, want ErrNotANumber saying %q", tt.raw, err, tt.want)
		}
		if n.Raw != tt.raw {
			t.Errorf("Normalize(%q) lost Raw: %+v", tt.raw, n)
		}
	}
	if _, err := Normalize("0977805845", "XX"); err == nil || !strings.Contains(err.Error(), `"XX" is not a region`) {
		t.Errorf("unknown region: %v", err)
	}
}

func TestNumberJSON(t *testing.T) {
	n, _ := Normalize("0977805845", "VN")
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"raw":"0977805845","digits":"0977805845","e164":"+84977805845","national":"0977805845","nsn":"977805845","region":"VN"}`
	if string(b) != want {
		t.Errorf("JSON = %s\nwant %s", b, want)
	}
}
