package history

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestExportCSV(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	c1 := call("c1", Inbound, "0977805845", "Jane Black", t0)
	c1.Headers = map[string]string{"X-Business-Id": "42"}
	mustStart(t, s, c1)
	finish(t, s, "c1", t0.Add(2*time.Second), t0.Add(62*time.Second))
	// A caller whose name and card try to run formulas in a spreadsheet,
	// with commas, quotes and a line break to quote.
	c2 := call("c2", Inbound, "+84901234567", `=HYPERLINK("http://evil","x")`, t0.Add(time.Minute))
	mustStart(t, s, c2)
	if err := s.SetCallerCard(ctx, "c2", CallerCard{Name: "@SUM(A1)", Company: "Smith, \"Jones\"\nand Co",
		URL: "-2+3", Fields: map[string]string{"Tier": "Gold"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.End(ctx, "c2", t0.Add(time.Minute+5*time.Second),
		Cause{Code: 487, Reason: "Request Terminated", Message: "The caller cancelled", By: ByRemote}); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := s.ExportCSV(ctx, &out, Query{PageSize: 1, Page: 2}); err != nil { // paging is ignored
		t.Fatal(err)
	}
	text := out.String()
	lines := strings.SplitAfter(text, "\r\n")
	wantHeader := "started_at,direction,number,name,status,answered_at,ended_at,duration_seconds,account," +
		"contact_name,contact_company,contact_url,contact_fields,cause_code,cause_reason,cause_message,ended_by,video," +
		"call_id,sip_call_id,headers,data,recording\r\n"
	if lines[0] != wantHeader {
		t.Errorf("header:\n got %q\nwant %q", lines[0], wantHeader)
	}
	wantC1 := `2026-11-23T09:15:02Z,inbound,0977805845,Jane Black,ended,2026-11-23T09:15:04Z,2026-11-23T09:16:04Z,60,main,` +
		`,,,,200,,,remote,false,c1,sip-c1,"{""X-Business-Id"":""42""}",{},` + "\r\n"
	if !strings.HasSuffix(text, wantC1) {
		t.Errorf("the oldest call should be the last line, exactly:\n%q\nexport:\n%s", wantC1, text)
	}
	for _, quoted := range []string{
		`"'=HYPERLINK(""http://evil"",""x"")"`,
		`'@SUM(A1)`,
		"\"Smith, \"\"Jones\"\"\r\nand Co\"", // UseCRLF writes line breaks in cells as CRLF too
		`'-2+3`,
		`'+84901234567`,
		`"{""Tier"":""Gold""}"`,
	} {
		if !strings.Contains(text, quoted) {
			t.Errorf("export lacks %s:\n%s", quoted, text)
		}
	}

	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("the export does not read back as CSV: %v", err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want a header and 2 calls", len(rows))
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	c2row := rows[1]
	for name, want := range map[string]string{
		"name":             `'=HYPERLINK("http://evil","x")`,
		"number":           "'+84901234567",
		"status":           "missed",
		"contact_name":     "'@SUM(A1)",
		"contact_company":  "Smith, \"Jones\"\nand Co",
		"cause_code":       "487",
		"cause_message":    "The caller cancelled",
		"answered_at":      "",
		"duration_seconds": "0",
	} {
		if got := c2row[col(name)]; got != want {
			t.Errorf("c2 %s = %q, want %q", name, got, want)
		}
	}
	for i, row := range rows[1:] {
		for j, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d, %s: %q could run as a formula", i+1, rows[0][j], cell)
			}
		}
	}
}

func TestExportCSVFilters(t *testing.T) {
	s := searchFixture(t)
	var out bytes.Buffer
	if err := s.ExportCSV(t.Context(), &out, Query{MissedOnly: true}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[slices.Index(rows[0], "call_id")])
	}
	if want := []string{"c4", "c2"}; !slices.Equal(got, want) {
		t.Errorf("missed calls exported: %v, want %v", got, want)
	}
}

func TestExportCSVEmpty(t *testing.T) {
	s := openTest(t)
	var out bytes.Buffer
	if err := s.ExportCSV(t.Context(), &out, Query{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\r\n"); n != 1 {
		t.Errorf("an empty history exports %d lines, want the header alone:\n%s", n, out.String())
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errWriteFailed }

var errWriteFailed = errors.New("disk unplugged")

func TestExportCSVWriteError(t *testing.T) {
	s := searchFixture(t)
	err := s.ExportCSV(t.Context(), failingWriter{}, Query{})
	if err == nil || !strings.Contains(err.Error(), "disk unplugged") {
		t.Errorf("export to a failing writer: %v", err)
	}
}
