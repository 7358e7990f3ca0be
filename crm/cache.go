package crm

import (
	"container/list"
	"sync"
	"time"
)

// cache remembers lookup results by Number.Key for a TTL, forgetting the
// least recently used when it holds size entries. It is safe for concurrent
// use.
type cache struct {
	ttl  time.Duration
	size int
	now  func() time.Time

	mu      sync.Mutex
	entries map[string]*list.Element // guarded by mu; values are *cacheEntry
	order   *list.List               // guarded by mu; front = most recently used
}

type cacheEntry struct {
	key     string
	result  Result
	expires time.Time
}

func newCache(ttl time.Duration, size int, now func() time.Time) *cache {
	return &cache{ttl: ttl, size: size, now: now, entries: map[string]*list.Element{}, order: list.New()}
}

// get returns a copy of the result stored under key, if it has not expired.
func (c *cache) get(key string) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return Result{}, false
	}
	e := el.Value.(*cacheEntry)
	if !c.now().Before(e.expires) {
		c.order.Remove(el)
		delete(c.entries, key)
		return Result{}, false
	}
	c.order.MoveToFront(el)
	return e.result.clone(), true
}

// put stores a copy of r under key, evicting the least recently used entry
// when full.
func (c *cache) put(key string, r Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := &cacheEntry{key: key, result: r.clone(), expires: c.now().Add(c.ttl)}
	if el, ok := c.entries[key]; ok {
		el.Value = e
		c.order.MoveToFront(el)
		return
	}
	c.entries[key] = c.order.PushFront(e)
	for c.order.Len() > c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*cacheEntry).key)
	}
}

// len returns how many entries are held, expired ones included.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// flush forgets everything.
func (c *cache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.order.Init()
}
