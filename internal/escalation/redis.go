package escalation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisPrefix starts every key the Redis store writes.
const DefaultRedisPrefix = "chatdesk:"

// RedisStore is the Store on Redis (standalone, Sentinel or Cluster), for
// several bot instances or a moderator team sharing one queue.
type RedisStore struct {
	c      redis.UniversalClient
	prefix string
	log    *slog.Logger
}

var _ Store = (*RedisStore)(nil)

// RedisOptions configure OpenRedis.
type RedisOptions struct {
	// Prefix starts every key; tests give each run its own.
	Prefix string
	Log    *slog.Logger
}

// NewRedis returns the store over c without touching the server; Open
// does. The store owns c and closes it.
func NewRedis(c redis.UniversalClient, o RedisOptions) *RedisStore {
	if o.Prefix == "" {
		o.Prefix = DefaultRedisPrefix
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &RedisStore{c: c, prefix: o.Prefix, log: o.Log}
}

// OpenRedis is NewRedis and Open.
func OpenRedis(ctx context.Context, c redis.UniversalClient, o RedisOptions) (*RedisStore, error) {
	s := NewRedis(c, o)
	if err := s.Open(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Open checks that the server answers, loads the transition scripts and
// warns when the server is set up to lose data. A server that does not
// answer is ErrUnavailable; the store still works once it does.
func (s *RedisStore) Open(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return fmt.Errorf("open redis ticket store: %w", err)
	}
	if err := s.loadScripts(ctx); err != nil {
		return fmt.Errorf("open redis ticket store: %w", err)
	}
	for _, w := range s.durabilityWarnings(ctx) {
		s.log.Warn("redis may lose tickets", "problem", w)
	}
	return nil
}

// Ping reports whether the server answers; the spool uses it to know when to
// flush.
func (s *RedisStore) Ping(ctx context.Context) error {
	return classify(s.c.Ping(ctx).Err())
}

// loadScripts preloads every script (on every shard of a Cluster), so the
// first transitions run as EVALSHA. A server that later loses its script
// cache (a restart, SCRIPT FLUSH) answers NOSCRIPT, and Script.Run falls
// back to EVAL, which caches it again.
func (s *RedisStore) loadScripts(ctx context.Context) error {
	for _, sc := range allScripts {
		if err := sc.Load(ctx, s.c).Err(); err != nil {
			return fmt.Errorf("load scripts: %w", classify(err))
		}
	}
	return nil
}

// durabilityWarnings names settings under which an acknowledged ticket can
// vanish: no append-only file means a restart loses everything since the
// last snapshot, and an eviction policy other than noeviction lets Redis
// drop tickets when memory runs short.
func (s *RedisStore) durabilityWarnings(ctx context.Context) []string {
	check := func(ctx context.Context, c redis.Cmdable, addr string) []string {
		var out []string
		vals, err := c.ConfigGet(ctx, "appendonly").Result()
		if err != nil {
			return []string{fmt.Sprintf("%scannot read the server's config (%v); make sure appendonly is yes and maxmemory-policy is noeviction", addr, err)}
		}
		if vals["appendonly"] != "yes" {
			out = append(out, addr+"appendonly is "+quoteOr(vals["appendonly"])+": a restart loses tickets since the last snapshot; set appendonly yes")
		}
		vals, err = c.ConfigGet(ctx, "maxmemory-policy").Result()
		if err == nil && vals["maxmemory-policy"] != "noeviction" {
			out = append(out, addr+"maxmemory-policy is "+quoteOr(vals["maxmemory-policy"])+": Redis may evict tickets when memory is short; set noeviction")
		}
		return out
	}
	if cc, ok := s.c.(*redis.ClusterClient); ok {
		var out []string
		var mu sync.Mutex
		_ = cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			w := check(ctx, m, m.Options().Addr+": ")
			mu.Lock()
			out = append(out, w...)
			mu.Unlock()
			return nil
		})
		sort.Strings(out)
		return out
	}
	return check(ctx, s.c, "")
}

func quoteOr(v string) string {
	if v == "" {
		return "unset"
	}
	return v
}

// Close closes the client.
func (s *RedisStore) Close() error { return s.c.Close() }

// chanKey is one of a channel's keys; the {channel} tag keeps them in one
// Cluster slot.
func (s *RedisStore) chanKey(channel, name string) string {
	return s.prefix + "{" + channel + "}:" + name
}

func (s *RedisStore) ticketKey(channel string, n int64) string {
	return s.chanKey(channel, "t:"+strconv.FormatInt(n, 10))
}

func msOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func timeOf(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// classify marks the errors that mean "Redis is not there right now" with
// ErrUnavailable: the network, a server still loading its data, a replica
// that cannot take writes, a Cluster without a slot's master. Anything else
// (a script bug, a wrong type) is a real error.
func classify(err error) error {
	if err == nil || errors.Is(err, redis.Nil) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var re redis.Error
	if errors.As(err, &re) {
		msg := re.Error()
		for _, p := range []string{"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "BUSY"} {
			if strings.HasPrefix(msg, p) {
				return fmt.Errorf("%w: %v", ErrUnavailable, err)
			}
		}
		if !errors.Is(err, redis.ErrClosed) {
			return err
		}
	}
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}

// Create implements Store.
func (s *RedisStore) Create(ctx context.Context, n NewTicket) (Ticket, bool, error) {
	if err := n.Validate(); err != nil {
		return Ticket{}, false, err
	}
	ctxJSON, err := json.Marshal(n.Context)
	if err != nil {
		return Ticket{}, false, fmt.Errorf("create ticket: %w", err)
	}
	args := []any{s.chanKey(n.Channel, "t:"), n.MessageID, n.Channel, string(n.Kind), string(n.Source), n.Text, string(ctxJSON), msOf(n.At), MaxAskers}
	for _, a := range n.Askers {
		a.DeliveredAt, a.ExpiredAt = time.Time{}, time.Time{}
		aj, err := json.Marshal(a)
		if err != nil {
			return Ticket{}, false, fmt.Errorf("create ticket: %w", err)
		}
		args = append(args, a.User, string(aj))
	}
	keys := []string{s.chanKey(n.Channel, "seq"), s.chanKey(n.Channel, "msg"), s.chanKey(n.Channel, "open"), s.chanKey(n.Channel, "all")}
	res, err := scriptCreate.Run(ctx, s.c, keys, args...).Slice()
	if err != nil {
		return Ticket{}, false, fmt.Errorf("create ticket in #%s: %w", n.Channel, classify(err))
	}
	if len(res) != 3 {
		return Ticket{}, false, fmt.Errorf("create ticket in #%s: unexpected reply %v", n.Channel, res)
	}
	t, err := decodeTicket(res[1])
	if err != nil {
		return Ticket{}, false, fmt.Errorf("create ticket in #%s: %w", n.Channel, err)
	}
	created, _ := res[2].(int64)
	return t, created == 1, nil
}

// run runs one transition script and, when read is set, reads the ticket
// after it in the same MULTI, so that nothing comes between. A server that lost its script cache
// answers NOSCRIPT; the scripts are loaded again and the transaction, which
// then did nothing, is sent once more.
func (s *RedisStore) run(ctx context.Context, sc *redis.Script, name string, op Op, read bool, extra ...any) ([]any, map[string]string, error) {
	key := s.ticketKey(op.Channel, op.Number)
	keys := []string{key, s.chanKey(op.Channel, "open"), s.chanKey(op.Channel, "owed")}
	args := append([]any{op.Number, op.By, msOf(op.At), op.ID, op.Rev}, extra...)
	var verdict *redis.Cmd
	var ticket *redis.MapStringStringCmd
	for attempt := 0; ; attempt++ {
		var err error
		if read {
			pipe := s.c.TxPipeline()
			verdict = pipe.EvalSha(ctx, sc.Hash(), keys, args...)
			ticket = pipe.HGetAll(ctx, key)
			_, err = pipe.Exec(ctx)
		} else {
			verdict = s.c.EvalSha(ctx, sc.Hash(), keys, args...)
			err = verdict.Err()
		}
		if err != nil && redis.HasErrorPrefix(verdict.Err(), "NOSCRIPT") && attempt == 0 {
			if err := s.loadScripts(ctx); err != nil {
				return nil, nil, fmt.Errorf("%s #%s %d: %w", name, op.Channel, op.Number, err)
			}
			continue
		}
		if err == nil {
			break
		}
		if verdict.Err() != nil {
			err = verdict.Err()
		}
		return nil, nil, fmt.Errorf("%s #%s %d: %w", name, op.Channel, op.Number, classify(err))
	}
	res, err := verdict.Slice()
	if err != nil || len(res) == 0 {
		return nil, nil, fmt.Errorf("%s #%s %d: unexpected reply %v (%v)", name, op.Channel, op.Number, res, err)
	}
	if res[0] == "missing" {
		return nil, nil, fmt.Errorf("%s #%s %d: %w", name, op.Channel, op.Number, ErrNotFound)
	}
	if ticket == nil {
		return res, nil, nil
	}
	return res, ticket.Val(), nil
}

// transition runs a script that changes the ticket.
func (s *RedisStore) transition(ctx context.Context, sc *redis.Script, name string, op Op, extra ...any) (Ticket, error) {
	res, m, err := s.run(ctx, sc, name, op, true, extra...)
	if err != nil {
		return Ticket{}, err
	}
	t, err := ticketFromMap(m)
	if err != nil {
		return Ticket{}, fmt.Errorf("%s #%s %d: %w", name, op.Channel, op.Number, err)
	}
	switch res[0] {
	case "ok":
		return t, nil
	case "refused":
		code := ""
		if len(res) > 1 {
			code, _ = res[1].(string)
		}
		switch code {
		case "claimed":
			return t, refused(name, ErrClaimed, t)
		case "stale":
			return t, refused(name, ErrStale, t)
		default:
			return t, refused(name, ErrState, t)
		}
	}
	return Ticket{}, fmt.Errorf("%s #%s %d: unexpected reply %v", name, op.Channel, op.Number, res)
}

// changed runs a script that answers whether it changed anything.
func (s *RedisStore) changed(ctx context.Context, sc *redis.Script, name string, op Op, extra ...any) (bool, error) {
	res, _, err := s.run(ctx, sc, name, op, false, extra...)
	if err != nil {
		return false, err
	}
	if len(res) == 2 && res[0] == "changed" {
		v, _ := res[1].(int64)
		return v == 1, nil
	}
	return false, fmt.Errorf("%s #%s %d: unexpected reply %v", name, op.Channel, op.Number, res)
}

// Join implements Store.
func (s *RedisStore) Join(ctx context.Context, op Op, a Asker) (Ticket, error) {
	a.DeliveredAt, a.ExpiredAt = time.Time{}, time.Time{}
	aj, err := json.Marshal(a)
	if err != nil {
		return Ticket{}, fmt.Errorf("join: %w", err)
	}
	return s.transition(ctx, scriptJoin, "join", op, a.User, string(aj), MaxAskers)
}

// Claim implements Store.
func (s *RedisStore) Claim(ctx context.Context, op Op, lease time.Duration) (Ticket, error) {
	return s.transition(ctx, scriptClaim, "claim", op, lease.Milliseconds())
}

// Answer implements Store.
func (s *RedisStore) Answer(ctx context.Context, op Op, text string) (Ticket, error) {
	return s.transition(ctx, scriptAnswer, "answer", op, text)
}

// Resolve implements Store.
func (s *RedisStore) Resolve(ctx context.Context, op Op) (Ticket, error) {
	return s.transition(ctx, scriptResolve, "resolve", op)
}

// Dismiss implements Store.
func (s *RedisStore) Dismiss(ctx context.Context, op Op, reason string) (Ticket, error) {
	return s.transition(ctx, scriptDismiss, "dismiss", op, reason)
}

// Reopen implements Store.
func (s *RedisStore) Reopen(ctx context.Context, op Op) (Ticket, error) {
	return s.transition(ctx, scriptReopen, "reopen", op)
}

// Delivered implements Store.
func (s *RedisStore) Delivered(ctx context.Context, op Op, user string) (bool, error) {
	return s.changed(ctx, scriptSettle, "delivered", op, user, "dlv")
}

// Expire implements Store.
func (s *RedisStore) Expire(ctx context.Context, op Op, user string) (bool, error) {
	return s.changed(ctx, scriptSettle, "expire", op, user, "exp")
}

// Remind implements Store.
func (s *RedisStore) Remind(ctx context.Context, op Op, every time.Duration) (bool, error) {
	return s.changed(ctx, scriptRemind, "remind", op, every.Milliseconds())
}

// Get implements Store.
func (s *RedisStore) Get(ctx context.Context, channel string, number int64) (Ticket, error) {
	m, err := s.c.HGetAll(ctx, s.ticketKey(channel, number)).Result()
	if err != nil {
		return Ticket{}, fmt.Errorf("get #%s %d: %w", channel, number, classify(err))
	}
	if len(m) == 0 {
		return Ticket{}, fmt.Errorf("get #%s %d: %w", channel, number, ErrNotFound)
	}
	return ticketFromMap(m)
}

// getMany reads tickets by number in one round trip.
func (s *RedisStore) getMany(ctx context.Context, channel string, numbers []int64) ([]Ticket, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	pipe := s.c.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(numbers))
	for i, n := range numbers {
		cmds[i] = pipe.HGetAll(ctx, s.ticketKey(channel, n))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, classify(err)
	}
	out := make([]Ticket, 0, len(numbers))
	for _, c := range cmds {
		m := c.Val()
		if len(m) == 0 {
			continue
		}
		t, err := ticketFromMap(m)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// List implements Store.
func (s *RedisStore) List(ctx context.Context, channel string, f Filter) ([]Ticket, error) {
	set := "all"
	if f.Open {
		set = "open"
	}
	const page = 500
	var out []Ticket
	for start := int64(0); ; start += page {
		members, err := s.c.ZRange(ctx, s.chanKey(channel, set), start, start+page-1).Result()
		if err != nil {
			return nil, fmt.Errorf("list tickets of #%s: %w", channel, classify(err))
		}
		nums := make([]int64, 0, len(members))
		for _, m := range members {
			if n, err := strconv.ParseInt(m, 10, 64); err == nil {
				nums = append(nums, n)
			}
		}
		ts, err := s.getMany(ctx, channel, nums)
		if err != nil {
			return nil, fmt.Errorf("list tickets of #%s: %w", channel, err)
		}
		for _, t := range ts {
			if f.match(t) {
				out = append(out, t)
				if f.Limit > 0 && len(out) >= f.Limit {
					return out, nil
				}
			}
		}
		if len(members) < page {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

// Owed implements Store.
func (s *RedisStore) Owed(ctx context.Context, channel, user string) ([]Ticket, error) {
	v, err := s.c.HGet(ctx, s.chanKey(channel, "owed"), user).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("owed answers for %s in #%s: %w", user, channel, classify(err))
	}
	var nums []int64
	for _, f := range strings.Split(v, ",") {
		if n, err := strconv.ParseInt(f, 10, 64); err == nil {
			nums = append(nums, n)
		}
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	ts, err := s.getMany(ctx, channel, nums)
	if err != nil {
		return nil, fmt.Errorf("owed answers for %s in #%s: %w", user, channel, err)
	}
	return ts, nil
}

// OwedUsers implements Store.
func (s *RedisStore) OwedUsers(ctx context.Context, channel string) ([]string, error) {
	users, err := s.c.HKeys(ctx, s.chanKey(channel, "owed")).Result()
	if err != nil {
		return nil, fmt.Errorf("owed users in #%s: %w", channel, classify(err))
	}
	sort.Strings(users)
	return users, nil
}

// decodeTicket reads a script's HGETALL reply.
func decodeTicket(v any) (Ticket, error) {
	flat, ok := v.([]any)
	if !ok || len(flat)%2 != 0 {
		return Ticket{}, fmt.Errorf("decode ticket: unexpected reply %T", v)
	}
	m := make(map[string]string, len(flat)/2)
	for i := 0; i < len(flat); i += 2 {
		k, _ := flat[i].(string)
		val, _ := flat[i+1].(string)
		m[k] = val
	}
	return ticketFromMap(m)
}

func ticketFromMap(m map[string]string) (Ticket, error) {
	i64 := func(k string) int64 {
		n, _ := strconv.ParseInt(m[k], 10, 64)
		return n
	}
	tm := func(k string) time.Time { return timeOf(i64(k)) }
	t := Ticket{
		Channel: m["channel"], Number: i64("number"), Kind: Kind(m["kind"]), Source: Source(m["source"]),
		Text: m["text"], MessageID: m["msgid"], State: State(m["state"]), Revision: i64("rev"),
		CreatedAt: tm("created"), UpdatedAt: tm("updated"),
		ClaimedBy: m["claimed_by"], ClaimedAt: tm("claimed_at"), LeaseUntil: tm("lease_until"),
		Answer: m["answer"], AnsweredBy: m["answered_by"], AnsweredAt: tm("answered_at"),
		FirstResponseAt: tm("first_response"), ClosedBy: m["closed_by"], ClosedAt: tm("closed_at"),
		Reason: m["reason"], Reopens: int(i64("reopens")), RemindedAt: tm("reminded_at"), LastOp: m["lastop"],
		AskerCount: int(i64("count")),
	}
	if c := m["context"]; c != "" && c != "null" {
		if err := json.Unmarshal([]byte(c), &t.Context); err != nil {
			return Ticket{}, fmt.Errorf("decode ticket #%d context: %w", t.Number, err)
		}
	}
	n := int(i64("acount"))
	for i := 1; i <= n; i++ {
		var a Asker
		if err := json.Unmarshal([]byte(m["a:"+strconv.Itoa(i)]), &a); err != nil {
			return Ticket{}, fmt.Errorf("decode ticket #%d asker %d: %w", t.Number, i, err)
		}
		if d := m["dlv:"+a.User]; d != "" {
			ms, _ := strconv.ParseInt(d, 10, 64)
			a.DeliveredAt = timeOf(ms)
		}
		if d := m["exp:"+a.User]; d != "" {
			ms, _ := strconv.ParseInt(d, 10, 64)
			a.ExpiredAt = timeOf(ms)
		}
		t.Askers = append(t.Askers, a)
	}
	if !t.State.Valid() {
		return Ticket{}, fmt.Errorf("decode ticket #%d: unknown state %q", t.Number, t.State)
	}
	return t, nil
}
