package moderation

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// AccountLookup finds when accounts were made, by user id: Twitch's Get
// Users. It may be slow and may fail; the engine never waits for it.
// Accounts it does not return are unknown.
type AccountLookup interface {
	AccountsCreated(ctx context.Context, userIDs []string) (map[string]time.Time, error)
}

// LateSink carries out a decision made after its message's trip through
// the pipeline: a first message escalated once its author's account age
// arrived. A channel of the router is one.
type LateSink interface {
	Deliver(ctx context.Context, msg chat.Message, d chat.Decision) error
}

// Account-age defaults: an account younger than DefaultYoungAccount whose
// first message in the channel is a spam bot's starts on ladder step
// DefaultYoungSeverity (timeout 10m on the default ladder).
const (
	DefaultYoungAccount  = 7 * 24 * time.Hour
	DefaultYoungSeverity = 4
)

// AccountAges looks account ages up for every channel's engine and keeps
// them: an account's creation time never changes, so each is asked for
// once. Requests queue without blocking and go out in batches of up to
// 100 ids (one Get Users call), one batch at a time, from Run.
type AccountAges struct {
	log      *slog.Logger
	requests chan ageRequest

	mu     sync.RWMutex
	lookup AccountLookup
	known  map[string]time.Time // zero: Twitch does not know the account
	asked  map[string][]ageWaiter
}

type ageRequest struct {
	userID string
	to     ageWaiter
}

// ageWaiter is told an account's creation time once it arrives.
type ageWaiter interface {
	accountAge(ctx context.Context, userID string, created time.Time)
}

// Sizes that bound the memory account ages take: ids waiting to be looked
// up (more are dropped, their messages judged on text alone), and ages
// kept.
const (
	ageQueue     = 1024
	ageBatch     = 100
	agesKept     = 50_000
	ageCallLimit = 10 * time.Second
)

// NewAccountAges returns an empty cache with no lookup: requests are
// dropped until Use sets one (a console or replay run has none).
func NewAccountAges(log *slog.Logger) *AccountAges {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &AccountAges{log: log, requests: make(chan ageRequest, ageQueue),
		known: map[string]time.Time{}, asked: map[string][]ageWaiter{}}
}

// Use sets where ages are looked up.
func (a *AccountAges) Use(l AccountLookup) {
	a.mu.Lock()
	a.lookup = l
	a.mu.Unlock()
}

// cached returns an account's creation time when it is known; created is
// zero for an account Twitch did not return.
func (a *AccountAges) cached(userID string) (created time.Time, ok bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	created, ok = a.known[userID]
	return created, ok
}

// request asks for userID's age, telling to when it arrives. It never
// blocks: with the queue full, or no lookup set, the request is dropped.
func (a *AccountAges) request(userID string, to ageWaiter) {
	a.mu.RLock()
	on := a.lookup != nil
	a.mu.RUnlock()
	if !on {
		return
	}
	select {
	case a.requests <- ageRequest{userID, to}:
	default:
		a.log.Debug("account age not looked up: too many waiting", "user_id", userID)
	}
}

// Run looks ages up until ctx ends. Requests that arrive while a call is
// out wait and go together in the next one.
func (a *AccountAges) Run(ctx context.Context) error {
	for {
		var first ageRequest
		select {
		case <-ctx.Done():
			return nil
		case first = <-a.requests:
		}
		ids := a.gather(first)
		var need []string
		a.mu.RLock()
		lookup := a.lookup
		for _, id := range ids {
			if _, ok := a.known[id]; !ok {
				need = append(need, id)
			}
		}
		a.mu.RUnlock()
		var got map[string]time.Time
		var err error
		if len(need) > 0 {
			call, cancel := context.WithTimeout(ctx, ageCallLimit)
			got, err = lookup.AccountsCreated(call, need)
			cancel()
		}
		if err != nil {
			// The messages stay judged on their text; the ids may be
			// asked for again by a later message.
			a.log.Warn("account ages not looked up", "accounts", len(ids), "err", err)
		}
		a.settle(ctx, ids, got, err == nil)
	}
}

// gather takes first and whatever else waits, up to a batch, and returns
// their ids, each once.
func (a *AccountAges) gather(first ageRequest) []string {
	var ids []string
	a.mu.Lock()
	defer a.mu.Unlock()
	add := func(r ageRequest) {
		w, waiting := a.asked[r.userID]
		a.asked[r.userID] = append(w, r.to)
		if !waiting {
			ids = append(ids, r.userID)
		}
	}
	add(first)
	for len(ids) < ageBatch {
		select {
		case r := <-a.requests:
			add(r)
		default:
			return ids
		}
	}
	return ids
}

// settle records what a call returned and tells those waiting. A failed
// call records nothing.
func (a *AccountAges) settle(ctx context.Context, ids []string, got map[string]time.Time, ok bool) {
	type told struct {
		to      ageWaiter
		id      string
		created time.Time
	}
	var tell []told
	a.mu.Lock()
	if ok && len(a.known)+len(ids) > agesKept {
		// Ages are cheap to ask again; a map that only grows is not.
		a.known = map[string]time.Time{}
	}
	for _, id := range ids {
		created, have := got[id]
		if !have {
			created, have = a.known[id]
		}
		if ok || have {
			a.known[id] = created
			for _, w := range a.asked[id] {
				tell = append(tell, told{w, id, created})
			}
		}
		delete(a.asked, id)
	}
	a.mu.Unlock()
	for _, t := range tell {
		t.to.accountAge(ctx, t.id, t.created)
	}
}

// pendingFirst is a first message that matched a spam bot's family and
// waits for its author's account age.
type pendingFirst struct {
	msg  chat.Message
	hit  Hit
	slot slot
	at   time.Time // when it was judged on its text
}

// maxPending bounds the first messages waiting for an age.
const maxPending = 512

// Attach sends the decisions the engine makes after a message's trip (an
// escalation once an account's age arrived) to s, and looks ages up in
// ages. Without it the engine judges text only.
func (e *Engine) Attach(ages *AccountAges, s LateSink) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ages, e.late = ages, s
}

// young reports whether an account made at created is young at now.
func (e *Engine) young(created, now time.Time) bool {
	return !created.IsZero() && e.youngAccount > 0 && now.Sub(created) < e.youngAccount
}

// escalateYoung is called with the slot and hit a first message got. A
// spam bot's family from a young account moves to the young step; an
// unknown age is asked for, and the message waits for it while chat goes
// on. It returns the slot to judge with.
func (e *Engine) escalateYoung(msg *chat.Message, s *slot, hit *Hit, now time.Time) *slot {
	if e.ages == nil || !msg.First || msg.Returning || msg.UserID == "" || e.youngAccount <= 0 ||
		s.rule.Name() != RuleSpamBots || s.severity >= e.youngSeverity {
		return s
	}
	created, known := e.ages.cached(msg.UserID)
	if !known {
		if len(e.pending) >= maxPending {
			for id := range e.pending {
				delete(e.pending, id)
				break
			}
		}
		e.pending[msg.UserID] = pendingFirst{msg: *msg, hit: *hit, slot: *s, at: now}
		e.ages.request(msg.UserID, e)
		return s
	}
	if !e.young(created, now) {
		return s
	}
	young := *s
	young.severity = e.youngSeverity
	*hit = youngHit(*hit, created, now)
	return &young
}

func youngHit(h Hit, created, now time.Time) Hit {
	age := "account " + formatDuration(now.Sub(created).Round(time.Hour)) + " old"
	h.Detail += "; first message from an " + age
	h.Why = append(append([]string(nil), h.Why...), "first message", age)
	return h
}

// accountAge acts again on a first message that waited for its author's
// account age: from a young account, the message's offence climbs to the
// young step and the sink carries the harsher penalty out.
func (e *Engine) accountAge(ctx context.Context, userID string, created time.Time) {
	e.mu.Lock()
	p, ok := e.pending[userID]
	delete(e.pending, userID)
	late := e.late
	now := e.now()
	if !ok || late == nil || !e.young(created, now) {
		e.mu.Unlock()
		return
	}
	s := p.slot
	s.severity = e.youngSeverity
	u := e.user(p.msg.User)
	// Judged as of the message's own time, the escalation is the same
	// offence as the text's verdict, not a second strike, however slow
	// the answer was.
	v := e.verdict(&p.msg, u, &s, youngHit(p.hit, created, now), p.at)
	e.mu.Unlock()
	if err := late.Deliver(ctx, p.msg, v.Decision()); err != nil {
		e.log.Warn("moderation: escalation for a young account not carried out", "user", p.msg.User, "err", err)
	}
}
