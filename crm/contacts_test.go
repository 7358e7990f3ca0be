package crm

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseCSV(t *testing.T) {
	contacts, problems, err := parseCSV(fixture(t, "contacts.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(contacts) != 5 || len(problems) != 0 {
		t.Fatalf("parsed %d contacts (%v): %+v", len(contacts), problems, contacts)
	}
	jane := contacts[1]
	want := Contact{Name: "Black, Jane", Company: "Acme Inc", Notes: "VIP", Numbers: []string{"+1 (201) 555-0123", "+1 201 555 0199"},
		Fields: map[string]string{"Email": "jane@acme.example", "Account manager": "Tom"}}
	if !sameContact(jane, want) {
		t.Errorf("row 3 = %+v\nwant %+v", jane, want)
	}
	if contacts[0].Name != "Nguyễn Văn An" || contacts[0].Notes != "Gọi sau 14h" {
		t.Errorf("row 2 = %+v", contacts[0])
	}

	semi, _, err := parseCSV(fixture(t, "contacts_semicolon.csv"))
	if err != nil || len(semi) != 1 || semi[0].Name != "Marc Lefèvre" || semi[0].Company != "Lefèvre Menuiserie" || semi[0].Numbers[0] != "06 12 34 56 78" {
		t.Errorf("semicolon CSV with a BOM = %+v, %v", semi, err)
	}

	google, _, err := parseCSV(fixture(t, "contacts_google.csv"))
	if err != nil || len(google) != 1 {
		t.Fatalf("Google CSV = %+v, %v", google, err)
	}
	g := google[0]
	if g.Name != "Tran Thi Binh" || g.Company != "Binh Minh JSC" || strings.Join(g.Numbers, "|") != "0912 345 678|0988 777 666|+84 24 3825 1234" || g.Fields["Email"] != "binh@example.vn" {
		t.Errorf("Google CSV contact = %+v", g)
	}
}

func TestParseCSVErrors(t *testing.T) {
	if _, _, err := parseCSV([]byte("0977805845,Jane\n")); err == nil || !strings.Contains(err.Error(), "the first row must name the columns") {
		t.Errorf("no header: %v", err)
	}
	contacts, problems, err := parseCSV([]byte("name,phone\n,0977805845\nFirst Last,\n"))
	if err != nil || len(contacts) != 1 || len(problems) != 1 || !strings.Contains(problems[0], "line 2 has numbers but no name") {
		t.Errorf("nameless row: %+v %v %v", contacts, problems, err)
	}
	if c, _, err := parseCSV(nil); err != nil || c != nil {
		t.Errorf("empty file: %v %v", c, err)
	}
}

func TestParseVCard(t *testing.T) {
	contacts, problems, err := parseVCard(fixture(t, "contacts.vcf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(contacts) != 3 || len(problems) != 1 || !strings.Contains(problems[0], "0900000000 has no name") {
		t.Fatalf("parsed %+v, problems %v", contacts, problems)
	}
	want := []Contact{
		{Name: "Jane Black", Company: "Acme Inc", URL: "https://crm.example.com/contacts/42", Notes: "Prefers email, then phone.\nVIP since 2019.",
			Numbers: []string{"+1 201 555 0123", "+1 201 555 0199"}, Fields: map[string]string{"Email": "jane@acme.example", "Title": "Buyer"}},
		{Name: "Nguyễn Văn An", Company: "Công ty Sao Mai", Numbers: []string{"+84-97-780-5845"},
			Notes: "A very long note that is folded over two lines because vCard lines are limited to 75 octets."},
		{Name: "Trần Bình Minh", Numbers: []string{"0912345678", "0988-777-666"}},
	}
	for i := range want {
		if !sameContact(contacts[i], want[i]) {
			t.Errorf("card %d = %+v\nwant %+v", i, contacts[i], want[i])
		}
	}
	if _, _, err := parseVCard([]byte("name,number\n")); err == nil || !strings.Contains(err.Error(), "no BEGIN:VCARD") {
		t.Errorf("not a vCard: %v", err)
	}
	n, _, _ := parseVCard([]byte("BEGIN:VCARD\nVERSION:3.0\nN:Dupont;Hélène;;Mme;\nTEL:01 23 45 67 89\nEND:VCARD\n"))
	if len(n) != 1 || n[0].Name != "Mme Hélène Dupont" {
		t.Errorf("name from N = %+v", n)
	}
}

// writeFile replaces path's content in one step (a new file renamed over
// it, as most editors save), so the watcher never reads it half written:
// a half-written read would make the assertions depend on timing.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestContactsFileLookupAndSearch(t *testing.T) {
	c, err := OpenContacts(filepath.Join("testdata", "contacts.csv"), "", WithRegion("VN"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 5 || c.Name() != "contacts.csv" {
		t.Fatalf("Len = %d, Name = %s", c.Len(), c.Name())
	}
	for raw, name := range map[string]string{
		"+84977805845":          "Nguyễn Văn An",
		"sip:0977805845@pbx":    "Nguyễn Văn An",
		"+12015550199":          "Black, Jane",
		"+86 138 0013 8000":     "Zhang Wei",
		"+33 1 23 45 67 89":     "Hélène Dupont",
		"1002":                  "Reception",
		"<sip:1002@pbx;user=x>": "Reception",
	} {
		got, err := c.Lookup(t.Context(), mustNumber(t, raw, "VN"))
		if err != nil || got.Name != name || got.Source != "contacts.csv" {
			t.Errorf("Lookup(%s) = %+v, %v; want %s", raw, got, err, name)
		}
	}
	if _, err := c.Lookup(t.Context(), mustNumber(t, "0912345678", "VN")); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown number: %v", err)
	}

	names := func(cs []Contact) string {
		var out []string
		for _, x := range cs {
			out = append(out, x.Name)
		}
		return strings.Join(out, "|")
	}
	for query, want := range map[string]string{
		"":            "Black, Jane|Hélène Dupont|Nguyễn Văn An|Reception|Zhang Wei",
		"nguyen":      "Nguyễn Văn An",
		"NGUYỄN văn":  "Nguyễn Văn An",
		"helene":      "Hélène Dupont",
		"acme":        "Black, Jane",
		"jane@acme":   "Black, Jane",
		"805 845":     "Nguyễn Văn An",
		"555-0199":    "Black, Jane",
		"100":         "Reception",
		"nobody here": "",
		"sao mai":     "Nguyễn Văn An",
	} {
		if got := names(c.Search(query)); got != want {
			t.Errorf("Search(%q) = %q, want %q", query, got, want)
		}
	}
	merged := SearchAll([]*ContactsFile{c, c}, "zhang")
	if len(merged) != 2 {
		t.Errorf("SearchAll = %+v", merged)
	}
}

func TestContactsFileVCardProvider(t *testing.T) {
	c, err := OpenContacts(filepath.Join("testdata", "contacts.vcf"), "", WithRegion("VN"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Lookup(t.Context(), mustNumber(t, "0977805845", "VN"))
	if err != nil || got.Name != "Nguyễn Văn An" {
		t.Errorf("vCard 4.0 tel: URI = %+v, %v", got, err)
	}
	got, err = c.Lookup(t.Context(), mustNumber(t, "+84988777666", "VN"))
	if err != nil || got.Name != "Trần Bình Minh" {
		t.Errorf("second TEL of a 2.1 card = %+v, %v", got, err)
	}
}

func TestContactsFileReloadsOnChange(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "team.csv")
	writeFile(t, path, "name,number\nAlice,0977805845\n")
	c, err := OpenContacts(path, "csv", WithRegion("VN"), WithPollInterval(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	changed := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Watch(ctx, func() { changed <- struct{}{} })
	}()
	defer func() {
		cancel()
		<-done
	}()
	n := mustNumber(t, "+84977805845", "VN")
	if got, _ := c.Lookup(t.Context(), n); got.Name != "Alice" {
		t.Fatalf("before = %+v", got)
	}

	writeFile(t, path, "name,number\nAlice Nguyen,0977805845\nBob,0912345678\n")
	// A reread may catch the file half written (os.WriteFile is not
	// atomic); the next poll sees the rest, so wait for the final state.
	for {
		waitFor(t, changed)
		if got, _ := c.Lookup(t.Context(), n); got.Name == "Alice Nguyen" && c.Len() == 2 {
			break
		}
	}

	// A broken file keeps the contacts read before, and says why.
	writeFile(t, path, "just some text without columns\n")
	deadline := time.Now().Add(5 * time.Second)
	for c.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), "the first row must name the columns") {
		t.Errorf("Err = %v", err)
	}
	if got, err := c.Lookup(t.Context(), n); err != nil || got.Name != "Alice Nguyen" {
		t.Errorf("after a broken write = %+v, %v", got, err)
	}

	// Same size, new modification time: still noticed.
	writeFile(t, path, "name,number\nCarol Nguyen,0977805845\nBob,0912345678\n")
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	// As above, a reread may catch the file half written: wait for the
	// final state.
	deadline = time.Now().Add(10 * time.Second)
	for {
		waitFor(t, changed)
		got, _ := c.Lookup(t.Context(), n)
		if got.Name == "Carol Nguyen" && c.Err() == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the fix = %+v, %v", got, c.Err())
		}
	}
}

func TestContactsFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "later.vcf")
	c, err := OpenContacts(path, "", WithRegion("VN"))
	if err == nil || c == nil {
		t.Fatalf("OpenContacts of a missing file = %v, %v", c, err)
	}
	if _, err := c.Lookup(t.Context(), mustNumber(t, "0977805845", "VN")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Lookup before the file exists: %v", err)
	}
	writeFile(t, path, "BEGIN:VCARD\nVERSION:3.0\nFN:Late Comer\nTEL:0977805845\nEND:VCARD\n")
	if changed, err := c.Reload(); !changed || err != nil {
		t.Fatalf("Reload = %v, %v", changed, err)
	}
	if got, err := c.Lookup(t.Context(), mustNumber(t, "0977805845", "VN")); err != nil || got.Name != "Late Comer" {
		t.Errorf("after the file appeared = %+v, %v", got, err)
	}
	if _, err := OpenContacts(path, "xlsx"); err == nil || !strings.Contains(err.Error(), `format "xlsx" is not csv or vcard`) {
		t.Errorf("bad format: %v", err)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Nguyễn Văn Đức": "nguyen van duc",
		"Hélène Lefèvre": "helene lefevre",
		"Trần Bình Minh": "tran binh minh",
		"Straße Œuvre":   "strasse oeuvre",
		"Zhang Wei 张伟":   "zhang wei 张伟",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func waitFor(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("the change was not noticed within 5s")
	}
}
