package escalation

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// The suggestion box is anonymous: a suggestion is stored without the
// viewer's login, id, display name, message id or earlier lines, and it is
// not logged with them either. Only the rate limit needs to tell viewers
// apart, and it does so by a keyed hash (HMAC-SHA256) whose key is random,
// lives in memory only and is replaced every KeyRotation: a hash seen
// yesterday cannot be matched against today's, nobody holding the store or
// the logs can recompute one, and no hash is ever written down.

// AnonymousLogin stands for the viewer on a suggestion. Twitch logins are
// letters, digits and underscores, so no viewer can be it.
const AnonymousLogin = "(anonymous)"

// KeyRotation is how long one key of the suggestion box's hash lives.
const KeyRotation = 24 * time.Hour

// Defaults of the suggestion box's rate limit.
const (
	DefaultSuggestLimit  = 3
	DefaultSuggestWindow = time.Hour
)

// suggestionBox rate-limits suggestions per viewer without knowing them.
type suggestionBox struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	epoch  int64 // which KeyRotation period key belongs to
	key    []byte
	recent map[string][]time.Time // keyed hash of a viewer → their suggestions in the window
}

// rotate replaces the key when at is in a new period; the old hashes go
// with it. Callers hold b.mu.
func (b *suggestionBox) rotate(at time.Time) {
	epoch := at.UnixNano() / int64(KeyRotation)
	if b.key != nil && epoch == b.epoch {
		return
	}
	b.key = make([]byte, 32)
	_, _ = rand.Read(b.key)
	b.epoch = epoch
	b.recent = map[string][]time.Time{}
}

func (b *suggestionBox) sum(parts ...string) string {
	m := hmac.New(sha256.New, b.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// admit reports whether the viewer may suggest at at, and when it does,
// the id that makes filing this message idempotent without naming it.
func (b *suggestionBox) admit(msg chat.Message, at time.Time) (id string, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rotate(at)
	who := msg.UserID
	if who == "" {
		who = msg.User
	}
	h := b.sum("viewer", who)
	var kept []time.Time
	for _, t := range b.recent[h] {
		if at.Sub(t) < b.window {
			kept = append(kept, t)
		}
	}
	if len(kept) >= b.limit {
		b.recent[h] = kept
		return "", false
	}
	b.recent[h] = append(kept, at)
	return "anon:" + b.sum("message", opID(msg)), true
}

// suggest files an anonymous suggestion.
func (d *Desk) suggest(ctx context.Context, msg chat.Message, text string) chat.Decision {
	at := d.at(msg)
	id, ok := d.box.admit(msg, at)
	if !ok {
		return d.private(msg, fmt.Sprintf("you've made %d suggestions in the last %s — thanks! try again later", d.box.limit, chat.FormatDuration(d.box.window, 4)))
	}
	t, _, err := d.store.Create(ctx, NewTicket{
		Channel: d.channel, Kind: KindSuggestion, Source: SourceSuggest, Text: text, MessageID: id,
		Askers: []Asker{{User: AnonymousLogin, At: at}}, At: at,
	})
	if err != nil {
		// The detail only: the error never names the viewer.
		d.log.Warn("file suggestion", "err", err)
		return d.private(msg, "the suggestion box is unreachable right now — try again in a minute")
	}
	d.track(t)
	d.log.Info("suggestion filed", "ticket", t.Ref())
	// The reply carries no ticket number: with it, whoever sees chat could
	// tell which suggestion in the list is whose.
	return d.private(msg, "thanks — your suggestion is in the box, anonymously")
}

// private is the reply to a viewer's !suggest. Where the channel has
// SuggestDelete, the decision also deletes the viewer's message from chat,
// whether or not the box took it: the idea was meant for the box, not for
// the stream. The reply then goes out unthreaded, addressed by name: a
// threaded reply shows the message it answers ("replying to @ana: !suggest
// …"), which would put the suggestion back in public chat. Twitch deletes
// no moderator's or the broadcaster's message, so theirs stay, answered in
// a thread as before.
func (d *Desk) private(msg chat.Message, text string) chat.Decision {
	dec := say(msg, "", text)
	if !d.set.SuggestDelete || msg.ID == "" || msg.Roles.Privileged() {
		return dec
	}
	dec.Replies[0].ParentID = ""
	dec.Replies[0].Text = "@" + msg.Name() + " " + text
	dec.Enforcements = []chat.Enforcement{{
		Kind: chat.PenaltyDelete, MessageID: msg.ID, Private: true,
		Reason: "a suggestion for the box, kept out of public chat",
	}}
	return dec
}

// cmdSuggestions lists the open suggestions for the broadcaster, newest
// first, in one chat message.
func (d *Desk) cmdSuggestions(ctx context.Context, msg chat.Message, _ string) chat.Decision {
	if !msg.Roles.Has(chat.RoleBroadcaster) {
		return say(msg, "", "!suggestions is for the broadcaster — moderators see them in !tickets")
	}
	open, err := d.store.List(ctx, d.channel, Filter{Open: true})
	if err != nil {
		return d.trouble(msg, "list suggestions", err)
	}
	var items []string
	for i := len(open) - 1; i >= 0; i-- {
		if t := open[i]; t.Kind == KindSuggestion {
			items = append(items, t.Ref()+" "+quoted(t.Text, 60))
		}
	}
	if len(items) == 0 {
		return say(msg, "", "the suggestion box is empty")
	}
	return say(msg, "", fitList(fmt.Sprintf("%d suggestions, newest first:", len(items)), items))
}
