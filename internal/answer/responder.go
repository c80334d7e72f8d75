package answer

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/question"
)

// Settings tune how eagerly a channel's responder answers.
type Settings struct {
	// MinConfidence is the least confidence, per language ("en", "zh"),
	// at which a question is answered. A language missing here uses
	// DefaultMinConfidence.
	MinConfidence map[string]float64
	// Cooldown applies to entries that set none of their own.
	Cooldown time.Duration
	// Embedder, when set, gives the semantic score from the streamer's own
	// model; indexes the responder rebuilds use it.
	Embedder Embedder
}

// DefaultMinConfidence are the thresholds the calibration ships: the least
// confidence, per language, that kept precision on every fold of the
// labelled chat (see the README's "Tuning" section).
var DefaultMinConfidence = map[string]float64{"en": calibrated["en"].threshold, "zh": calibrated["zh"].threshold}

// DefaultCooldown keeps an entry from being posted twice in quick succession.
const DefaultCooldown = 2 * time.Minute

// Threshold returns the minimum confidence for lang.
func (s Settings) Threshold(lang string) float64 {
	if v, ok := s.MinConfidence[lang]; ok {
		return v
	}
	if v, ok := DefaultMinConfidence[lang]; ok {
		return v
	}
	return DefaultMinConfidence["en"]
}

// Result is everything the responder concluded about one line of chat; the
// `ask` command shows all of it.
type Result struct {
	Question question.Question
	// Candidates are the best entries, most confident first.
	Candidates []Candidate
	// Best is the candidate that clears the language's threshold, if any.
	Best *Candidate
	// Threshold is the minimum confidence that applied.
	Threshold float64
	// Request reports that the detector read the line as a statement but
	// it has a request's shape ("discord link", "drop the playlist"), so it
	// was matched at the stricter RequestConfidence.
	Request bool
}

// RequestConfidence is the least confidence at which a line the question
// detector did not take for a question is answered as a request: only a
// strong match may turn a terse "discord link" into an answer, and chat
// that merely mentions a topic ("the discord is fun") never gets one.
const RequestConfidence = 0.95

// Responder is a channel's answer stage: it finds the entry that answers a
// question and keeps entries from repeating within their cooldown. Whether a
// line is a question, and in which language, comes from the message's
// Reading, filled once by the pipeline; the responder reads the line itself
// only when nothing has (tests, `bot ask`). It is safe for concurrent use;
// the index can be swapped while it serves.
type Responder struct {
	detector question.Detector
	settings Settings
	now      func() time.Time
	log      *slog.Logger

	mu sync.RWMutex // guards ix; searches hold it for reading so Swap can close the old index safely
	ix *Index

	cmu     sync.Mutex
	posted  map[string]time.Time // entry id + answer variant → when it was last posted
	pointed map[string]time.Time // entry id + answer variant + user → when the user was last pointed at it
}

// NewResponder returns a responder over ix. d reads lines that reach it
// unread; give it the same names as the pipeline's detector so both agree.
// now may be nil for time.Now.
func NewResponder(ix *Index, d question.Detector, s Settings, now func() time.Time, log *slog.Logger) *Responder {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if s.Cooldown == 0 {
		s.Cooldown = DefaultCooldown
	}
	return &Responder{
		detector: d, settings: s, now: now, log: log, ix: ix,
		posted: map[string]time.Time{}, pointed: map[string]time.Time{},
	}
}

// Swap replaces the index and closes the old one once no search uses it.
func (r *Responder) Swap(ix *Index) {
	r.mu.Lock()
	old := r.ix
	r.ix = ix
	r.mu.Unlock()
	if old != nil && old != ix {
		if err := old.Close(); err != nil {
			r.log.Warn("close old faq index", "err", err)
		}
	}
}

// Close closes the current index.
func (r *Responder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ix == nil {
		return nil
	}
	err := r.ix.Close()
	r.ix = nil
	return err
}

// Entries returns the current index's entries.
func (r *Responder) Entries() []Entry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.ix == nil {
		return nil
	}
	return r.ix.Entries()
}

// Lookup detects whether text is a question and finds its best entries,
// without minding cooldowns. n is how many candidates to keep.
func (r *Responder) Lookup(text string, n int) (Result, error) {
	return r.lookup(text, r.detector.Detect(text), n, false)
}

// lookup finds text's best entries in the language q read it in. With
// decideOnly, a request that no entry could answer surely enough is not
// matched at all (Handle needs the decision only; Lookup, for bot ask,
// shows the candidates anyway).
func (r *Responder) lookup(text string, q question.Question, n int, decideOnly bool) (Result, error) {
	res := Result{Question: q}
	res.Threshold = r.settings.Threshold(q.Lang)
	if !q.Is {
		if !requestShaped(q, text) {
			return res, nil
		}
		res.Request = true
		res.Threshold = max(res.Threshold, RequestConfidence)
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.ix == nil {
		return res, nil
	}
	// Most request-shaped chatter ("gg", "lets go") names nothing the FAQ
	// covers; it is not matched at all.
	if res.Request && !r.ix.Mentions(text, q.Lang) {
		return res, nil
	}
	if decideOnly && res.Request && r.ix.beyondReach(text, q.Lang, res.Threshold) {
		return res, nil
	}
	cands, err := r.ix.Candidates(text, q.Lang, n)
	if err != nil {
		return res, err
	}
	res.Candidates = cands
	if len(cands) > 0 && cands[0].Confidence >= res.Threshold {
		res.Best = &res.Candidates[0]
	}
	return res, nil
}

// Handle implements the answer stage: a confident answer to a question,
// threaded under it, in the question's language.
func (r *Responder) Handle(_ context.Context, msg chat.Message) chat.Decision {
	rd := msg.Reading
	if !rd.Read() {
		rd = r.detector.Read(msg.Text)
	}
	q := question.Question{Is: rd.Question, Lang: rd.Lang, Why: rd.Why}
	if !rd.Question && !requestShaped(q, msg.Text) {
		return chat.Decision{}
	}
	// A question the FAQ does not answer is not acted on, but is marked so
	// later stages and the metrics know a question went unanswered.
	missed := chat.Decision{Question: true, Lang: q.Lang}
	res, err := r.lookup(msg.Text, q, 2, true)
	if err != nil {
		r.log.Error("faq lookup", "channel", msg.Channel, "err", err)
		return missed
	}
	if res.Best == nil && res.Request {
		// A statement shaped like a request that no entry answers well
		// is chatter, not a missed question.
		return chat.Decision{}
	}
	if res.Best == nil {
		if len(res.Candidates) > 0 {
			missed.Confidence = res.Candidates[0].Confidence
		}
		return missed
	}
	d := r.answer(msg, *res.Best, q.Lang)
	d.Question = true
	return d
}

// Answer returns the decision to answer msg with entry id regardless of
// question detection and confidence (a viewer's explicit !faq, say); cooldowns
// still apply. The reply is in the language msg was read in.
func (r *Responder) Answer(msg chat.Message, c Candidate) chat.Decision {
	lang := msg.Reading.Lang
	if !msg.Reading.Read() {
		lang = question.DetectLang(msg.Text)
	}
	return r.answer(msg, c, lang)
}

func (r *Responder) answer(msg chat.Message, c Candidate, lang string) chat.Decision {
	e := c.Entry
	d := chat.Decision{Action: chat.ActionAnswer, FAQ: e.ID, Confidence: c.Confidence, Lang: lang}
	at := msg.Time
	if at.IsZero() {
		at = r.now()
	}
	cooldown := e.Cooldown
	if cooldown == 0 {
		cooldown = r.settings.Cooldown
	}
	// The cooldown is kept per answer as posted: a Chinese viewer told to
	// scroll up to an English answer has not been answered. An entry with
	// one answer for every language cools down as one.
	posted := e.ID + "\x00" + e.variant(lang)
	r.cmu.Lock()
	defer r.cmu.Unlock()
	last, seen := r.posted[posted]
	if !seen || at.Sub(last) >= cooldown || at.Before(last) {
		r.posted[posted] = at
		d.Replies = []chat.Reply{{Text: e.AnswerIn(lang), ParentID: msg.ID, Priority: chat.PriorityAnswer}}
		return d
	}
	// Inside the cooldown the full answer is still in recent chat. The
	// asker gets a short threaded pointer to it, once per cooldown, so the
	// question is acknowledged without flooding chat with repeats.
	key := posted + "\x00" + msg.User
	d.Note = "cooldown"
	if p, ok := r.pointed[key]; ok && at.Sub(p) < cooldown && !at.Before(p) {
		d.Note = "cooldown, already pointed"
		return d
	}
	r.pointed[key] = at
	if len(r.pointed) > 4096 {
		r.prunePointers(at, cooldown)
	}
	d.Replies = []chat.Reply{{Text: pointerText(lang, at.Sub(last)), ParentID: msg.ID, Priority: chat.PriorityAnswer}}
	return d
}

// prunePointers forgets pointers older than the cooldown so the map stays
// bounded over a long stream.
func (r *Responder) prunePointers(at time.Time, cooldown time.Duration) {
	for k, t := range r.pointed {
		if at.Sub(t) >= cooldown {
			delete(r.pointed, k)
		}
	}
}

func pointerText(lang string, ago time.Duration) string {
	if lang == "zh" {
		return fmt.Sprintf("刚刚（%s前）回答过这个问题，往上翻一下聊天记录哦 ↑", humanAgo(ago, true))
	}
	return fmt.Sprintf("I answered that %s ago, just above in chat ↑", humanAgo(ago, false))
}

// humanAgo is how long ago, in one unit of at least a second.
func humanAgo(d time.Duration, zh bool) string {
	if zh {
		return chat.FormatDurationZH(max(d, time.Second), 1)
	}
	return chat.FormatDuration(max(d, time.Second), 1)
}
