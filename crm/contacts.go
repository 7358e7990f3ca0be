package crm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ringdesk/ringdesk/store"
)

// maxContactsFile is the largest contacts file read (a few hundred
// thousand contacts).
const maxContactsFile = 64 << 20

// ContactsFile is a local address book, a CSV or vCard file, usable as a
// Provider and searchable for the GUI's contacts tab. It keeps the contacts
// of the last good read: Watch rereads the file when it changes, and a
// broken or missing file leaves the previous contacts in place. It is safe
// for concurrent use.
type ContactsFile struct {
	path, format, region, name string
	poll                       time.Duration
	log                        *slog.Logger

	mu      sync.RWMutex
	entries []contactEntry // guarded by mu; sorted by folded name
	byKey   map[string]int // guarded by mu; Number.Key -> index in entries
	stamp   fileStamp      // guarded by mu; the file as last read
	loaded  bool           // guarded by mu; a read has succeeded
	err     error          // guarded by mu; the last read's error
}

// contactEntry is a contact with what searching it needs.
type contactEntry struct {
	contact Contact
	folded  string   // name, company and email, folded
	sortKey string   // name and company, folded
	digits  []string // its numbers, digits only
}

// fileStamp tells whether a file changed.
type fileStamp struct {
	mod  time.Time
	size int64
}

// OpenContacts reads the contacts file at path. format is "csv" or "vcard";
// empty means by the file's extension (.vcf and .vcard are vCards, anything
// else CSV). Numbers are normalised in WithRegion's region, so a file
// writing 0977805845 matches a call from +84977805845.
//
// The returned ContactsFile is usable even when err is not nil (a file
// that does not exist yet, a broken one): its Lookup then fails with that
// error, and Watch picks the file up once it can be read. Options:
// WithRegion, WithPollInterval, WithLogger.
func OpenContacts(path, format string, opts ...Option) (*ContactsFile, error) {
	o := buildOptions(opts)
	if format == "" {
		format = store.ProviderCSV
		if ext := strings.ToLower(filepath.Ext(path)); ext == ".vcf" || ext == ".vcard" {
			format = store.ProviderVCard
		}
	}
	c := &ContactsFile{path: path, format: format, region: o.region, name: filepath.Base(path),
		poll: o.pollInterval, log: o.logger, byKey: map[string]int{}}
	if format != store.ProviderCSV && format != store.ProviderVCard {
		err := fmt.Errorf("contacts file %s: format %q is not csv or vcard", path, format)
		c.err = err
		return c, err
	}
	if path == "" {
		c.err = errors.New("no contacts file was named: set the provider's path")
		return c, c.err
	}
	_, err := c.Reload()
	return c, err
}

// Name returns the file's base name, the provider's name.
func (c *ContactsFile) Name() string { return c.name }

// Path returns the file's path.
func (c *ContactsFile) Path() string { return c.path }

// Len returns how many contacts are loaded.
func (c *ContactsFile) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// Err returns why the last read failed, or nil.
func (c *ContactsFile) Err() error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.err
}

// Reload reads the file again if it changed since the last read; changed
// says it did and the new contacts are in place. On error the previous
// contacts stay.
func (c *ContactsFile) Reload() (changed bool, err error) {
	st, err := os.Stat(c.path)
	if err != nil {
		return false, c.failed(c.readError(err))
	}
	stamp := fileStamp{mod: st.ModTime(), size: st.Size()}
	c.mu.RLock()
	same := c.loaded && stamp == c.stamp
	c.mu.RUnlock()
	if same {
		return false, nil
	}
	if st.Size() > maxContactsFile {
		return false, c.failed(fmt.Errorf("contacts file %s is %s, more than the %s Ringdesk reads", c.path, formatBytes(st.Size()), formatBytes(maxContactsFile)))
	}
	f, err := os.Open(c.path)
	if err != nil {
		return false, c.failed(c.readError(err))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxContactsFile))
	f.Close()
	if err != nil {
		return false, c.failed(c.readError(err))
	}
	parse := parseCSV
	if c.format == store.ProviderVCard {
		parse = parseVCard
	}
	contacts, problems, err := parse(data)
	if err != nil {
		return false, c.failed(fmt.Errorf("contacts file %s: %w", c.path, err))
	}
	entries, byKey, skipped := c.index(contacts)
	c.mu.Lock()
	c.entries, c.byKey, c.stamp, c.loaded, c.err = entries, byKey, stamp, true, nil
	c.mu.Unlock()
	if len(problems) > 0 || len(skipped) > 0 {
		c.log.Warn("some contacts were skipped", "file", c.path, "problems", append(problems, skipped...))
	}
	c.log.Info("contacts loaded", "file", c.path, "contacts", len(entries), "numbers", len(byKey))
	return true, nil
}

// readError says why the file cannot be read, naming it once.
func (c *ContactsFile) readError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("contacts file %s does not exist; create it or fix the provider's path (%w)", c.path, fs.ErrNotExist)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("contacts file %s cannot be read: %w", c.path, err)
}

func (c *ContactsFile) failed(err error) error {
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
	return err
}

// index normalises every number and sorts the contacts by name. skipped
// lists numbers that could not be read.
func (c *ContactsFile) index(contacts []Contact) ([]contactEntry, map[string]int, []string) {
	entries := make([]contactEntry, len(contacts))
	for i, ct := range contacts {
		ct.Source = c.name
		e := contactEntry{contact: ct, folded: fold(ct.Name + "\n" + ct.Company + "\n" + ct.Fields["Email"]),
			sortKey: fold(ct.Name + " " + ct.Company)}
		for _, raw := range ct.Numbers {
			e.digits = append(e.digits, digitsOnly(raw))
		}
		entries[i] = e
	}
	slices.SortStableFunc(entries, func(a, b contactEntry) int { return cmp.Compare(a.sortKey, b.sortKey) })
	byKey := map[string]int{}
	var skipped []string
	for i, e := range entries {
		for _, raw := range e.contact.Numbers {
			n, err := Normalize(raw, c.region)
			if err != nil {
				skipped = append(skipped, fmt.Sprintf("%s: %v", e.contact.Name, err))
				continue
			}
			if _, dup := byKey[n.Key()]; !dup {
				byKey[n.Key()] = i
			}
		}
	}
	return entries, byKey, skipped
}

// Lookup returns the contact with the number; the error of the last read
// when the file was never read successfully.
func (c *ContactsFile) Lookup(_ context.Context, n Number) (Contact, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if !c.loaded {
		return Contact{}, c.err
	}
	i, ok := c.byKey[n.Key()]
	if !ok {
		return Contact{}, ErrNotFound
	}
	return c.entries[i].contact.Clone(), nil
}

// Search returns the contacts matching query, sorted by name: every word
// of a text query must appear in the name, company or email (case and
// accents ignored, so "nguyen" finds "Nguyễn"); a query of digits (at
// least 3, separators ignored) matches numbers containing them. An empty
// query returns every contact.
func (c *ContactsFile) Search(query string) []Contact {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []Contact
	for _, e := range c.entries {
		if e.matches(query) {
			out = append(out, e.contact.Clone())
		}
	}
	return out
}

// matches reports whether the entry matches a Search query.
func (e contactEntry) matches(query string) bool {
	query = strings.TrimSpace(query)
	if query == "" {
		return true
	}
	if d := digitsOnly(query); len(d) >= 3 && strings.Trim(query, "0123456789+-. ()/") == "" {
		for _, n := range e.digits {
			if strings.Contains(n, d) {
				return true
			}
		}
		return false
	}
	for _, word := range strings.Fields(fold(query)) {
		if !strings.Contains(e.folded, word) {
			return false
		}
	}
	return true
}

// Watch checks the file every poll interval (WithPollInterval, default
// 2s) and rereads it when its modification time or size changed, calling
// changed after each successful reread (the Resolver's Flush, the GUI's
// refresh). It returns when ctx ends.
func (c *ContactsFile) Watch(ctx context.Context, changed func()) {
	t := time.NewTicker(c.poll)
	defer t.Stop()
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ok, err := c.Reload()
		switch {
		case err != nil && err.Error() != lastErr:
			c.log.Warn("contacts file could not be reread; keeping the contacts read before", "file", c.path, "error", err)
			lastErr = err.Error()
		case err == nil:
			lastErr = ""
			if ok && changed != nil {
				changed()
			}
		}
	}
}

// SearchAll searches several contacts files and merges the answers by name.
func SearchAll(files []*ContactsFile, query string) []Contact {
	var out []Contact
	for _, f := range files {
		out = append(out, f.Search(query)...)
	}
	slices.SortStableFunc(out, func(a, b Contact) int {
		return cmp.Compare(fold(a.Name+" "+a.Company), fold(b.Name+" "+b.Company))
	})
	return out
}
