package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// learnedPath is a channel's learned-answers FAQ file.
func learnedPath(cfg *Config, channel string) string {
	return filepath.Join(cfg.Bot.DataDir, "learned", channel+".yaml")
}

// withLearned is a channel's FAQ files plus its learned file when there is
// one, so answers moderators taught with !learn survive a restart.
func withLearned(cfg *Config, cc ChannelConfig) []string {
	files := append([]string(nil), cc.FAQ...)
	if p := learnedPath(cfg, cc.Name); fileExists(p) {
		files = append(files, p)
	}
	return files
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// escalationWiring is what every channel's desk shares: the store, the
// spool in front of Redis, and the sink that posts reminders.
type escalationWiring struct {
	store escalation.Store
	spool *escalation.Spool // nil unless the store is Redis
	// learn is whether !learn may write learned files (not in dry runs).
	learn bool
	now   func() time.Time
	log   *slog.Logger

	// sink posts outside of a message's trip: reminders, spooled tickets'
	// numbers. Until one is set they wait in each channel's outbox and ride
	// along with the channel's next message.
	sink  atomic.Pointer[router.Sink]
	mu    sync.Mutex
	desks map[string]*channelDesk
}

// channelDesk is one channel's part of the escalation wiring.
type channelDesk struct {
	w    *escalationWiring
	desk *escalation.Desk
	// learned is the channel's learned FAQ file; nil when !learn is off.
	learned *learnedFAQ

	mu     sync.Mutex
	outbox []pending
}

type pending struct {
	msg chat.Message
	dec chat.Decision
}

// maxOutbox bounds what waits for a channel's next message; the oldest goes
// first, since a newer reminder repeats what is still due.
const maxOutbox = 8

// openEscalation opens the ticket store the config names. A Redis that does
// not answer at start is not fatal: tickets go to the spool until it does.
func (a *app) openEscalation(ctx context.Context, cfg *Config, log *slog.Logger) (*escalationWiring, error) {
	w := &escalationWiring{learn: true, now: time.Now, log: log, desks: map[string]*channelDesk{}}
	switch cfg.Store.Backend {
	case "redis":
		rc := cfg.Store.Redis
		client := redis.NewUniversalClient(&redis.UniversalOptions{
			Addrs: rc.Addrs, DB: rc.DB, Password: rc.Password, MasterName: rc.MasterName,
			DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
			MaxRetries: 2,
		})
		rs := escalation.NewRedis(client, escalation.RedisOptions{Prefix: rc.KeyPrefix, Log: log})
		if err := rs.Open(ctx); err != nil {
			if !errors.Is(err, escalation.ErrUnavailable) {
				client.Close()
				return nil, &exitErr{code: exitFailure, err: fmt.Errorf("ticket store: %w", err)}
			}
			log.Warn("redis does not answer; tickets go to the local spool until it does", "addrs", strings.Join(rc.Addrs, ","), "err", err)
		}
		spool, err := escalation.OpenSpool(filepath.Join(cfg.Bot.DataDir, "spool.db"), rs, escalation.SpoolOptions{Log: log, Flushed: w.flushed})
		if err != nil {
			client.Close()
			return nil, &exitErr{code: exitFailure, err: fmt.Errorf("ticket store: %w", err)}
		}
		w.store, w.spool = spool, spool
	default:
		s := &lazyBolt{path: cfg.Store.Path}
		// An existing store is opened now, so a second bot on the same
		// file fails at start rather than at its first ticket.
		if fileExists(s.path) {
			if _, err := s.open(true); err != nil {
				return nil, &exitErr{code: exitFailure, err: fmt.Errorf("ticket store: %w", err)}
			}
		}
		w.store = s
	}
	return w, nil
}

// lazyBolt is the embedded store, created on the first ticket: a bot that
// never escalates (a try-out in the console, a test) leaves no file behind.
// Reads before then find an empty queue.
type lazyBolt struct {
	path string
	mu   sync.Mutex
	s    *escalation.BoltStore
}

// open returns the store, creating the file when create is set; without
// it, a missing file gives nil.
func (l *lazyBolt) open(create bool) (*escalation.BoltStore, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.s != nil || (!create && !fileExists(l.path)) {
		return l.s, nil
	}
	s, err := escalation.OpenBolt(l.path, escalation.BoltOptions{})
	if err != nil {
		return nil, err
	}
	l.s = s
	return s, nil
}

// Create implements escalation.Store.
func (l *lazyBolt) Create(ctx context.Context, n escalation.NewTicket) (escalation.Ticket, bool, error) {
	s, err := l.open(true)
	if err != nil {
		return escalation.Ticket{}, false, err
	}
	return s.Create(ctx, n)
}

// existing is the store for a transition: one on a ticket that cannot exist
// yet needs no file.
func (l *lazyBolt) existing(op escalation.Op) (*escalation.BoltStore, error) {
	s, err := l.open(false)
	if err == nil && s == nil {
		err = fmt.Errorf("#%s %d: %w", op.Channel, op.Number, escalation.ErrNotFound)
	}
	return s, err
}

// Join implements escalation.Store.
func (l *lazyBolt) Join(ctx context.Context, op escalation.Op, a escalation.Asker) (escalation.Ticket, error) {
	s, err := l.existing(op)
	if err != nil {
		return escalation.Ticket{}, err
	}
	return s.Join(ctx, op, a)
}

// Claim implements escalation.Store.
func (l *lazyBolt) Claim(ctx context.Context, op escalation.Op, lease time.Duration) (escalation.Ticket, error) {
	s, err := l.existing(op)
	if err != nil {
		return escalation.Ticket{}, err
	}
	return s.Claim(ctx, op, lease)
}

// Answer implements escalation.Store.
func (l *lazyBolt) Answer(ctx context.Context, op escalation.Op, text string) (escalation.Ticket, error) {
	s, err := l.existing(op)
	if err != nil {
		return escalation.Ticket{}, err
	}
	return s.Answer(ctx, op, text)
}

// Resolve implements escalation.Store.
func (l *lazyBolt) Resolve(ctx context.Context, op escalation.Op) (escalation.Ticket, error) {
	s, err := l.existing(op)
	if err != nil {
		return escalation.Ticket{}, err
	}
	return s.Resolve(ctx, op)
}

// Dismiss implements escalation.Store.
func (l *lazyBolt) Dismiss(ctx context.Context, op escalation.Op, reason string) (escalation.Ticket, error) {
	s, err := l.existing(op)
	if err != nil {
		return escalation.Ticket{}, err
	}
	return s.Dismiss(ctx, op, reason)
}

// Reopen implements escalation.Store.
func (l *lazyBolt) Reopen(ctx context.Context, op escalation.Op) (escalation.Ticket, error) {
	s, err := l.existing(op)
	if err != nil {
		return escalation.Ticket{}, err
	}
	return s.Reopen(ctx, op)
}

// Delivered implements escalation.Store.
func (l *lazyBolt) Delivered(ctx context.Context, op escalation.Op, user string) (bool, error) {
	s, err := l.existing(op)
	if err != nil {
		return false, err
	}
	return s.Delivered(ctx, op, user)
}

// Expire implements escalation.Store.
func (l *lazyBolt) Expire(ctx context.Context, op escalation.Op, user string) (bool, error) {
	s, err := l.existing(op)
	if err != nil {
		return false, err
	}
	return s.Expire(ctx, op, user)
}

// Remind implements escalation.Store.
func (l *lazyBolt) Remind(ctx context.Context, op escalation.Op, every time.Duration) (bool, error) {
	s, err := l.existing(op)
	if err != nil {
		return false, err
	}
	return s.Remind(ctx, op, every)
}

// Get implements escalation.Store.
func (l *lazyBolt) Get(ctx context.Context, channel string, number int64) (escalation.Ticket, error) {
	s, err := l.existing(escalation.Op{Channel: channel, Number: number})
	if err != nil {
		return escalation.Ticket{}, err
	}
	return s.Get(ctx, channel, number)
}

// List implements escalation.Store.
func (l *lazyBolt) List(ctx context.Context, channel string, f escalation.Filter) ([]escalation.Ticket, error) {
	s, err := l.open(false)
	if s == nil || err != nil {
		return nil, err
	}
	return s.List(ctx, channel, f)
}

// Owed implements escalation.Store.
func (l *lazyBolt) Owed(ctx context.Context, channel, user string) ([]escalation.Ticket, error) {
	s, err := l.open(false)
	if s == nil || err != nil {
		return nil, err
	}
	return s.Owed(ctx, channel, user)
}

// OwedUsers implements escalation.Store.
func (l *lazyBolt) OwedUsers(ctx context.Context, channel string) ([]string, error) {
	s, err := l.open(false)
	if s == nil || err != nil {
		return nil, err
	}
	return s.OwedUsers(ctx, channel)
}

// Close implements escalation.Store.
func (l *lazyBolt) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.s == nil {
		return nil
	}
	return l.s.Close()
}

// dryRunEscalation keeps tickets in memory only: replay and the other
// commands that only look run the same desk without touching the real queue.
func dryRunEscalation(log *slog.Logger) *escalationWiring {
	return &escalationWiring{store: escalation.NewMemoryStore(), now: time.Now, log: log, desks: map[string]*channelDesk{}}
}

func (w *escalationWiring) close() error {
	if w == nil || w.store == nil {
		return nil
	}
	return w.store.Close()
}

// useSink makes reminders and spooled tickets' numbers go straight to sink.
func (w *escalationWiring) useSink(s router.Sink) { w.sink.Store(&s) }

// flushed tells the viewer the number of a ticket that waited in the spool.
func (w *escalationWiring) flushed(t escalation.Ticket) {
	w.mu.Lock()
	cd := w.desks[t.Channel]
	w.mu.Unlock()
	if cd != nil {
		cd.desk.Flushed(context.Background(), t, cd)
	}
}

// Deliver implements escalation.Sink for one channel: straight to the sink
// when there is one, else into the outbox.
func (cd *channelDesk) Deliver(ctx context.Context, msg chat.Message, d chat.Decision) error {
	if s := cd.w.sink.Load(); s != nil {
		return (*s).Deliver(ctx, msg, d)
	}
	cd.mu.Lock()
	defer cd.mu.Unlock()
	if len(cd.outbox) >= maxOutbox {
		cd.outbox = cd.outbox[1:]
	}
	cd.outbox = append(cd.outbox, pending{msg: msg, dec: d})
	return nil
}

// followUp is the stage at the front of a channel's pipeline: the desk's
// follow-up, plus whatever waited in the outbox.
type followUp struct {
	cd *channelDesk
	f  escalation.FollowUp
}

// Handle implements router.Stage.
func (s followUp) Handle(ctx context.Context, msg chat.Message) chat.Decision {
	d := s.f.Handle(ctx, msg)
	s.cd.mu.Lock()
	waiting := s.cd.outbox
	s.cd.outbox = nil
	s.cd.mu.Unlock()
	for _, p := range waiting {
		d.Replies = append(d.Replies, p.dec.Replies...)
	}
	return d
}

// channelEscalation is what a channel's pipeline gets from the desk.
type channelEscalation struct {
	front, after []router.Stage
	commands     []router.Command
}

// escalationFor builds a channel's desk; ws holds at most one wiring, and
// none means a dry run. now may be nil.
func escalationFor(ws []*escalationWiring, cfg *Config, cc ChannelConfig, ch *channel, now func() time.Time, log *slog.Logger) channelEscalation {
	var w *escalationWiring
	if len(ws) > 0 {
		w = ws[0]
	}
	if w == nil {
		w = dryRunEscalation(log)
	}
	set, enabled := deskSettings(cfg, cc)
	if !enabled {
		return channelEscalation{}
	}
	if now == nil {
		now = w.now
	}
	names := []string{cfg.Bot.Name, cc.Name}
	detector := answer.Detector{Names: names}
	cd := &channelDesk{w: w}
	var learner escalation.Learner
	if w.learn {
		cd.learned = &learnedFAQ{
			path: learnedPath(cfg, cc.Name), base: append([]string(nil), cc.FAQ...),
			responder: ch.responder, created: make(chan struct{}, 1),
		}
		learner = cd.learned
	}
	cd.desk = escalation.NewDesk(escalation.Config{
		Channel: cc.Name, Store: w.store, Settings: set, Names: names,
		IsQuestion: func(text string) bool { return detector.Detect(text).Is },
		Learner:    learner, Now: now, Log: log,
	})
	w.mu.Lock()
	w.desks[cc.Name] = cd
	w.mu.Unlock()
	ch.escalation = cd
	var cmds []router.Command
	for _, c := range cd.desk.Commands() {
		cmds = append(cmds, router.Command{Name: c.Name, Usage: c.Usage, Privileged: c.Privileged, Run: c.Run})
	}
	return channelEscalation{
		front:    []router.Stage{followUp{cd: cd, f: cd.desk.FollowUp()}},
		after:    []router.Stage{cd.desk},
		commands: cmds,
	}
}

// startEscalation starts the loops the desks need, under g: each channel's
// SLA loop, and the spool's flusher when the store is Redis.
func startEscalation(ctx context.Context, g *errgroup.Group, chs []*channel) {
	var w *escalationWiring
	for _, ch := range chs {
		cd := ch.escalation
		if cd == nil {
			continue
		}
		w = cd.w
		g.Go(func() error { return cd.desk.Run(ctx, cd, escalation.DefaultTick) })
	}
	if w != nil && w.spool != nil {
		g.Go(func() error { return w.spool.Run(ctx, 10*time.Second) })
	}
}

// runReloader keeps a channel's FAQ in step with its files, as
// answer.Reloader does, and starts watching the learned file the first time
// !learn writes it.
func runReloader(ctx context.Context, ch *channel, interval time.Duration, log *slog.Logger) error {
	var created <-chan struct{}
	if ch.escalation != nil && ch.escalation.learned != nil {
		created = ch.escalation.learned.created
	}
	files := ch.faqFiles
	for {
		rctx, cancel := context.WithCancel(ctx)
		w := &answer.Reloader{Files: files, Responder: ch.responder, Interval: interval, Log: log}
		done := make(chan error, 1)
		go func() { done <- w.Run(rctx) }()
		select {
		case <-ctx.Done():
			cancel()
			return <-done
		case <-created:
			cancel()
			if err := <-done; err != nil {
				return err
			}
			files = append(append([]string(nil), files...), ch.escalation.learned.path)
			created = nil
		}
	}
}

// learnedFAQ writes a channel's learned-answers file: !learn appends an
// entry, checks the whole FAQ with it, and swaps the new index into the
// responder, so the next viewer gets the answer without waiting for a
// reload. The file is ordinary FAQ YAML the streamer may edit, or move into
// their own files.
type learnedFAQ struct {
	path      string
	base      []string // the channel's own FAQ files
	responder *answer.Responder
	// created is signalled once the file first exists, so the channel's
	// reloader starts watching it.
	created chan struct{}

	mu sync.Mutex
}

// learnedHeader starts a new learned file.
const learnedHeader = `# Answers moderators taught the bot with !learn. This is an ordinary FAQ file:
# edit or delete entries freely, or move them into your own FAQ files. The bot
# appends new entries at the end, so keep "entries:" the last key.
entries:
`

// Learn implements escalation.Learner.
func (l *learnedFAQ) Learn(_ context.Context, r escalation.LearnRequest) (escalation.Learned, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old, err := os.ReadFile(l.path)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return escalation.Learned{}, fmt.Errorf("learn: %w", err)
	}
	files := l.base
	if exists {
		files = append(append([]string(nil), l.base...), l.path)
	}
	current, err := answer.LoadFAQ(files...)
	if err != nil {
		return escalation.Learned{}, fmt.Errorf("learn: the faq does not load as it is: %w", err)
	}
	e := answer.Entry{ID: "learned-" + strconv.FormatInt(r.Ticket.Number, 10), Answer: r.Ticket.Answer}
	for i := 2; hasEntry(current, e.ID); i++ {
		e.ID = fmt.Sprintf("learned-%d-%d", r.Ticket.Number, i)
	}
	known := map[string]bool{}
	for _, c := range current {
		for _, q := range c.Questions {
			known[questionKey(q)] = true
		}
	}
	for _, q := range r.Questions {
		if k := questionKey(q); k != "" && !known[k] {
			known[k] = true
			e.Questions = append(e.Questions, q)
		}
	}
	if len(e.Questions) == 0 {
		return escalation.Learned{}, escalation.ErrKnown
	}
	block, err := entryYAML(e, fmt.Sprintf("from ticket %s in #%s, learned by %s on %s", r.Ticket.Ref(), r.Ticket.Channel, r.By, r.At.UTC().Format("2006-01-02")))
	if err != nil {
		return escalation.Learned{}, fmt.Errorf("learn: %w", err)
	}
	data := []byte(learnedHeader)
	if exists {
		data = old
		if len(data) > 0 && data[len(data)-1] != '\n' {
			data = append(data, '\n')
		}
	}
	data = append(data, block...)

	// The new file is checked with the rest of the FAQ before it replaces
	// the old one, so !learn can never leave a channel with an FAQ that
	// does not load.
	if err := os.MkdirAll(filepath.Dir(l.path), 0o755); err != nil {
		return escalation.Learned{}, fmt.Errorf("learn: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(l.path), "."+filepath.Base(l.path)+".*")
	if err != nil {
		return escalation.Learned{}, fmt.Errorf("learn: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return escalation.Learned{}, fmt.Errorf("learn: %w", err)
	}
	entries, err := answer.LoadFAQ(append(append([]string(nil), l.base...), tmp.Name())...)
	if err != nil {
		return escalation.Learned{}, fmt.Errorf("learn: the new entry does not fit the faq: %s", strings.ReplaceAll(err.Error(), tmp.Name(), l.path))
	}
	ix, err := answer.Build(entries)
	if err != nil {
		return escalation.Learned{}, fmt.Errorf("learn: %w", err)
	}
	if err := os.Rename(tmp.Name(), l.path); err != nil {
		ix.Close()
		return escalation.Learned{}, fmt.Errorf("learn: %w", err)
	}
	if d, err := os.Open(filepath.Dir(l.path)); err == nil {
		_ = d.Sync() // makes the rename durable; failing only weakens that
		d.Close()
	}
	l.responder.Swap(ix)
	if !exists {
		select {
		case l.created <- struct{}{}:
		default:
		}
	}
	return escalation.Learned{ID: e.ID, Questions: e.Questions}, nil
}

func hasEntry(entries []answer.Entry, id string) bool {
	for _, e := range entries {
		if e.ID == id {
			return true
		}
	}
	return false
}

// questionKey folds case and spacing as the FAQ loader does when it looks
// for a question listed twice.
func questionKey(q string) string { return strings.Join(strings.Fields(strings.ToLower(q)), " ") }

// entryYAML renders one entry as an item of the entries list; the YAML
// encoder quotes whatever viewers typed, so no chat text can break the file.
func entryYAML(e answer.Entry, comment string) ([]byte, error) {
	type item struct {
		ID        string   `yaml:"id"`
		Questions []string `yaml:"questions"`
		Answer    string   `yaml:"answer"`
	}
	out, err := yaml.Marshal([]item{{ID: e.ID, Questions: e.Questions, Answer: e.Answer}})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("  # " + strings.ReplaceAll(comment, "\n", " ") + "\n")
	for _, line := range strings.SplitAfter(string(out), "\n") {
		if line != "" {
			b.WriteString("  " + line)
		}
	}
	return b.Bytes(), nil
}
