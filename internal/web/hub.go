package web

import "sync"

// hub tells open desks that their channel's queue changed. A desk that is
// behind gets one wake-up, not a backlog: it reloads the queue anyway, so
// each subscriber holds one buffered slot however much happens, and memory
// stays flat with the number of desks open.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

func newHub() *hub { return &hub{subs: map[string]map[chan struct{}]struct{}{}} }

// subscribe returns a channel that receives after each change to channel's
// queue, and the function that ends the subscription.
func (h *hub) subscribe(channel string) (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[channel] == nil {
		h.subs[channel] = map[chan struct{}]struct{}{}
	}
	h.subs[channel][c] = struct{}{}
	h.mu.Unlock()
	return c, func() {
		h.mu.Lock()
		delete(h.subs[channel], c)
		h.mu.Unlock()
	}
}

func (h *hub) publish(channel string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs[channel] {
		select {
		case c <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
}

func (h *hub) watched(channel string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[channel]) > 0
}

// count is how many desks are open, for tests and benchmarks.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, s := range h.subs {
		n += len(s)
	}
	return n
}
