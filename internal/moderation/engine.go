package moderation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Verdict is what the engine decided about one message. The zero Verdict
// means the message broke no rule.
type Verdict struct {
	// Rule is the rule that fired; "" when none did.
	Rule string
	// Notice is the reason in a viewer's words ("links aren't allowed
	// here"); Detail the moderator's ("link to bit.ly").
	Notice string
	Detail string
	// Why lists what tipped the decision (see Hit.Why).
	Why []string
	// Step is the ladder step taken: the penalty.
	Step Step
	// Strike is the author's strike count with this offence, and Strikes
	// how many it takes from this rule's first step to the ladder's last:
	// "strike 1/4".
	Strike, Strikes int
	// Shadow verdicts are recorded and shown but never carried out.
	Shadow bool
	// Reply is the notice to post in chat, empty when the author or the
	// channel heard one too recently.
	Reply string
	// Enforcements are the actions the step takes, each with a reason that
	// names the rule.
	Enforcements []chat.Enforcement
}

// Broke reports whether the message broke a rule.
func (v Verdict) Broke() bool { return v.Rule != "" }

// Decision turns the verdict into the pipeline's decision: action
// "moderate" with the rule and penalty, the enforcements and the notice. A
// shadow decision keeps its enforcements for the record but is marked
// Shadow, and posts nothing.
func (v Verdict) Decision() chat.Decision {
	if !v.Broke() {
		return chat.Decision{}
	}
	d := chat.Decision{
		Action:       chat.ActionModerate,
		Rule:         v.Rule,
		Penalty:      v.Step.String(),
		Enforcements: v.Enforcements,
		Shadow:       v.Shadow,
		Note:         v.Detail,
		Why:          v.Why,
	}
	if v.Shadow {
		d.Note = "shadow: " + v.Detail
	}
	if v.Reply != "" && !v.Shadow {
		d.Replies = []chat.Reply{{Text: v.Reply, Priority: chat.PriorityModeration}}
	}
	return d
}

// Options are an Engine's collaborators.
type Options struct {
	// Now is the clock for messages that carry no time of their own; nil
	// means time.Now.
	Now func() time.Time
	// Log receives one debug line per verdict (it should carry the
	// channel); nil discards.
	Log *slog.Logger
	// Blocked are terms moderators added with !block, restored from where
	// the caller keeps them. A term that is refused now (the file was
	// edited by hand, or written before a check existed) is skipped with a
	// warning: one bad line must neither stop the channel nor, kept,
	// remove its chat.
	Blocked []string
	// BlockedFile names where Blocked came from, for that warning.
	BlockedFile string
}

// Engine judges one channel's messages. It is safe for concurrent use,
// though a channel's messages are expected in order.
type Engine struct {
	now  func() time.Time
	log  *slog.Logger
	name string

	mu       sync.Mutex
	settings Settings
	slots    []slot
	ladder   []Step
	regulars map[string]bool
	emotes   emoteNames
	banned   *bannedRule // nil when banned_terms is off
	blocked  []string
	permit   time.Duration
	users    map[string]*userState
	recent   recentRing
	sc       scanner
	in       Input
	// msg holds the message being checked, so the Input can point at it
	// without the caller's copy escaping to the heap.
	msg    chat.Message
	wave   wave
	checks int

	// ages and late are the Twitch signals Attach turns on; pending are
	// first messages waiting for their author's account age.
	ages          *AccountAges
	late          LateSink
	pending       map[string]pendingFirst
	youngAccount  time.Duration
	youngSeverity int
}

// slot is one enabled rule with what the engine applies around it.
type slot struct {
	rule     Rule
	severity int
	shadow   bool
	exempt   chat.Roles
	regulars bool // regulars are exempt
}

// wave tracks notices across the channel so a spam wave gets one notice,
// not one per spammer.
type wave struct {
	recent   [waveNotices]time.Time
	pos      int
	last     time.Time // last offence of any kind
	collapse bool      // the wave's one notice has gone out
}

const (
	// waveNotices notices within waveWindow make a wave; after them the
	// channel gets one summary notice and then quiet until waveQuiet has
	// passed without an offence.
	waveNotices = 2
	waveWindow  = 10 * time.Second
	waveQuiet   = 30 * time.Second
	// strikeBurst: offences closer together than this count as one
	// strike, so a burst of queued messages does not climb the whole
	// ladder before the first timeout lands.
	strikeBurst = 10 * time.Second
	// idleForget: chatters idle this long with no strikes or permit are
	// forgotten.
	idleForget = time.Hour
)

// New returns an engine for channel with settings s. It checks s first.
func New(channel string, s Settings, opts Options) (*Engine, error) {
	p, lists := s.check()
	if len(p) > 0 {
		return nil, &ValidationError{Problems: p}
	}
	e := &Engine{
		now:      opts.Now,
		log:      opts.Log,
		name:     channel,
		settings: s,
		ladder:   s.Ladder,
		regulars: map[string]bool{},
		emotes:   knownEmotes(s.Emotes),
		users:    map[string]*userState{},
		pending:  map[string]pendingFirst{},
	}
	if sb, ok := s.Rules[RuleSpamBots]; ok {
		e.youngAccount, e.youngSeverity = sb.YoungAccount, sb.YoungSeverity
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	for _, r := range s.Regulars {
		e.regulars[strings.ToLower(strings.TrimPrefix(r, "@"))] = true
	}
	env := &buildEnv{emotes: e.emotes, lists: lists}
	if links, ok := s.Rules[RuleLinks]; ok {
		for _, d := range links.Allow {
			nd, _ := normalizeDomain(d)
			env.allow = append(env.allow, nd)
		}
		e.permit = links.Permit
	}
	for _, spec := range registry {
		rs, ok := s.Rules[spec.Name]
		if !ok || !rs.Enabled {
			continue
		}
		rule, err := spec.build(rs, env)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", spec.Name, err)
		}
		sl := slot{rule: rule, severity: rs.Severity, shadow: rs.Shadow}
		for _, role := range rs.Exempt {
			switch role {
			case RoleVIP:
				sl.exempt |= chat.RoleVIP
			case RoleSubscriber:
				sl.exempt |= chat.RoleSubscriber
			case RoleRegular:
				sl.regulars = true
			}
		}
		e.slots = append(e.slots, sl)
		if b, ok := rule.(*bannedRule); ok {
			e.banned = b
		}
	}
	e.restoreBlocked(opts.Blocked, opts.BlockedFile)
	return e, nil
}

// restoreBlocked adds the terms kept from earlier runs, skipping with a
// warning those that are refused now.
func (e *Engine) restoreBlocked(terms []string, file string) {
	if len(terms) > 0 && e.banned == nil {
		e.log.Warn("blocked terms not applied: the banned_terms rule is off", "file", file, "terms", len(terms))
		return
	}
	for _, t := range terms {
		if err := e.addBlocked(t); err != nil {
			e.log.Warn("blocked term skipped", "file", file, "term", t, "err", err)
		}
	}
}

// Handle is the engine as a pipeline stage: it checks the message and
// returns the verdict as a decision.
func (e *Engine) Handle(_ context.Context, msg chat.Message) chat.Decision {
	v := e.Check(msg)
	if v.Broke() {
		e.log.Debug("moderation", "user", msg.User, "rule", v.Rule,
			"penalty", v.Step.String(), "strike", v.Strike, "shadow", v.Shadow, "detail", v.Detail)
	}
	return v.Decision()
}

// Check judges msg. The broadcaster and moderators are never judged.
func (e *Engine) Check(msg chat.Message) Verdict {
	if msg.Roles.Privileged() {
		return Verdict{}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := msg.Time
	if now.IsZero() {
		now = e.now()
	}
	u := e.user(msg.User)
	in := &e.in
	e.msg = msg
	e.sc.prepare(in, &e.msg, now, e.emotes)
	in.user = u
	in.permitted = now.Before(u.permitUntil)
	in.recent = &e.recent

	best := -1
	var hit Hit
	regular := e.regulars[msg.User]
	for i := range e.slots {
		s := &e.slots[i]
		if msg.Roles&s.exempt != 0 || (s.regulars && regular) {
			continue
		}
		h, ok := s.rule.Check(in)
		if ok && (best < 0 || s.severity > e.slots[best].severity) {
			best, hit = i, h
		}
	}
	u.push(now, in.hash)
	e.recent.push(now, in.hash, u.key)
	*in = Input{}
	e.checks++
	if e.checks%4096 == 0 {
		e.forget(now)
	}
	if best < 0 {
		return Verdict{}
	}
	v := e.verdict(&e.msg, u, e.escalateYoung(&e.msg, &e.slots[best], &hit, now), hit, now)
	e.msg = chat.Message{}
	return v
}

// verdict climbs the ladder for an offence and words the notice.
func (e *Engine) verdict(msg *chat.Message, u *userState, s *slot, hit Hit, now time.Time) Verdict {
	shadow := e.settings.Shadow || s.shadow
	name := s.rule.Name()
	strikes := u.currentStrikes(now, e.settings.StrikeDecay)
	burst := strikes > 0 && now.Sub(u.lastStrike) < strikeBurst
	if !burst {
		strikes++
	}
	last := len(e.ladder) - 1
	first := min(s.severity-1, last)
	idx := min(first+strikes-1, last)
	step := e.ladder[idx]
	if !shadow && u.out(now) && !u.harsher(step) {
		// The chatter is out of chat by this engine's own timeout or
		// ban: Twitch removed their messages with it and takes no new
		// ones, so this line was sent before it landed. It is recorded,
		// but costs no strike and no call to Twitch.
		return Verdict{Rule: name, Notice: hit.Notice, Detail: hit.Detail + " (already out of chat)", Why: hit.Why,
			Step: step, Strike: u.strikes, Strikes: last - first + 1}
	}
	if !shadow {
		u.strikes = strikes
		u.lastStrike = now
		u.lastRule = name
		if msg.UserID != "" {
			u.userID = msg.UserID
		}
		u.silence(step, now)
	}
	v := Verdict{
		Rule:    name,
		Notice:  hit.Notice,
		Detail:  hit.Detail,
		Why:     hit.Why,
		Step:    step,
		Strike:  strikes,
		Strikes: last - first + 1,
		Shadow:  shadow,
	}
	reason := fmt.Sprintf("%s: %s (strike %d/%d)", name, hit.Detail, min(v.Strike, v.Strikes), v.Strikes)
	v.Enforcements = step.enforcements(msg, reason)
	for i := range hit.others {
		o := &hit.others[i]
		v.Enforcements = append(v.Enforcements, step.enforcements(o, reason)...)
		if !shadow {
			e.user(o.User).silence(step, now)
		}
	}
	e.wave.settle(now)
	e.wave.last = now
	if !shadow {
		v.Reply = e.notice(msg, u, &v, now)
	}
	return v
}

// notice words the chat notice for v, or returns "" when the author had
// one within the notice window or a wave of spam already got its notice.
func (e *Engine) notice(msg *chat.Message, u *userState, v *Verdict, now time.Time) string {
	if !u.lastNotice.IsZero() && now.Sub(u.lastNotice) < e.settings.NoticeWindow {
		return ""
	}
	w := &e.wave
	if w.collapse {
		return ""
	}
	oldest := w.recent[w.pos]
	if !oldest.IsZero() && now.Sub(oldest) < waveWindow {
		// This would be the third notice in a few seconds: say it once
		// for everyone and then keep quiet while the wave lasts.
		w.collapse = true
		u.lastNotice = now
		return "Cleaning up a wave of spam: messages that break the rules are being removed."
	}
	w.recent[w.pos] = now
	w.pos = (w.pos + 1) % waveNotices
	u.lastNotice = now

	var b strings.Builder
	b.WriteString("@")
	b.WriteString(msg.Name())
	b.WriteString(" ")
	b.WriteString(v.Notice)
	b.WriteString(" — ")
	switch st := v.Step; {
	case st.Ban:
		b.WriteString("banned")
	case st.Timeout > 0:
		b.WriteString("timeout " + formatDuration(st.Timeout))
	case st.Delete && st.Warn:
		b.WriteString("message removed, warning")
	case st.Delete:
		b.WriteString("message removed")
	case st.Warn:
		b.WriteString("warning")
	}
	fmt.Fprintf(&b, ", strike %d/%d", min(v.Strike, v.Strikes), v.Strikes)
	return b.String()
}

func (e *Engine) user(login string) *userState {
	if u, ok := e.users[login]; ok {
		return u
	}
	u := &userState{key: hashString(login)}
	e.users[login] = u
	return u
}

// forget drops chatters idle long enough to hold nothing worth keeping,
// and ends a spam wave that has died down, so memory stays bounded on a
// busy channel.
func (e *Engine) forget(now time.Time) {
	for login, u := range e.users {
		if now.Sub(u.lastSeen) > idleForget && u.currentStrikes(now, e.settings.StrikeDecay) == 0 && !now.Before(u.permitUntil) {
			delete(e.users, login)
		}
	}
}

// settle ends a wave once chat has been quiet for waveQuiet.
func (w *wave) settle(now time.Time) {
	if w.collapse && now.Sub(w.last) >= waveQuiet {
		w.collapse = false
		w.recent = [waveNotices]time.Time{}
	}
}

// SetEmotes adds names, the channel's third-party emotes as fetched, to
// the emote names the engine knows: the built-in ones and the settings'
// own, which always stay.
func (e *Engine) SetEmotes(names []string) {
	all := append(append([]string(nil), e.settings.Emotes...), names...)
	known := knownEmotes(all)
	e.mu.Lock()
	e.emotes = known
	e.mu.Unlock()
}

// Permit lets user post links for d (the links rule's permit time when d
// is 0), from at. It returns the time granted.
func (e *Engine) Permit(user string, d time.Duration, at time.Time) time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d <= 0 {
		d = e.permit
	}
	if d <= 0 {
		d = time.Minute
	}
	e.user(strings.ToLower(user)).permitUntil = e.clock(at).Add(d)
	return d
}

// Standing is a chatter's record, for !strikes and !pardon.
type Standing struct {
	User    string
	UserID  string
	Strikes int
	// LastRule and LastAt describe the latest offence.
	LastRule string
	LastAt   time.Time
	// Forgiven is when the next strike will have decayed.
	Forgiven time.Time
}

// Standing returns user's record at at.
func (e *Engine) Standing(user string, at time.Time) Standing {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.standing(strings.ToLower(user), e.clock(at))
}

func (e *Engine) standing(user string, now time.Time) Standing {
	st := Standing{User: user}
	u, ok := e.users[user]
	if !ok {
		return st
	}
	st.UserID = u.userID
	st.Strikes = u.currentStrikes(now, e.settings.StrikeDecay)
	st.LastRule, st.LastAt = u.lastRule, u.lastStrike
	if st.Strikes > 0 {
		decay := e.settings.StrikeDecay
		forgiven := u.strikes - st.Strikes
		st.Forgiven = u.lastStrike.Add(time.Duration(forgiven+1) * decay)
	}
	return st
}

// Pardon clears user's strikes and returns their record from before.
func (e *Engine) Pardon(user string, at time.Time) Standing {
	e.mu.Lock()
	defer e.mu.Unlock()
	user = strings.ToLower(user)
	st := e.standing(user, e.clock(at))
	if u, ok := e.users[user]; ok {
		u.strikes = 0
		u.lastStrike = time.Time{}
		u.lastRule = ""
		u.outUntil, u.outFor, u.banned = time.Time{}, 0, false
	}
	return st
}

// ErrUnknownRule is returned for a rule name the engine does not know.
var ErrUnknownRule = errors.New("unknown rule")

// ErrRuleOff is returned when shadowing a rule the channel has turned off.
var ErrRuleOff = errors.New("rule is off")

// SetShadow turns shadow mode for one rule on or off until restart.
func (e *Engine) SetShadow(rule string, on bool) error {
	if _, ok := specFor(rule); !ok {
		return fmt.Errorf("%w %q", ErrUnknownRule, rule)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range e.slots {
		if e.slots[i].rule.Name() == rule {
			e.slots[i].shadow = on
			return nil
		}
	}
	return fmt.Errorf("%s: %w in this channel's config", rule, ErrRuleOff)
}

// RuleState is one rule as a channel runs it, for !rules.
type RuleState struct {
	Name    string
	Enabled bool
	Shadow  bool
	// First is the ladder step a first offence gets.
	First Step
}

// RuleStates lists every rule, in check order.
func (e *Engine) RuleStates() []RuleState {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []RuleState
	for _, spec := range registry {
		st := RuleState{Name: spec.Name}
		for _, s := range e.slots {
			if s.rule.Name() == spec.Name {
				st.Enabled = true
				st.Shadow = s.shadow || e.settings.Shadow
				st.First = e.ladder[min(s.severity, len(e.ladder))-1]
			}
		}
		out = append(out, st)
	}
	return out
}

// ErrBannedTermsOff is returned by Block when the channel has turned the
// banned_terms rule off.
var ErrBannedTermsOff = errors.New("the banned_terms rule is off in this channel's config")

// Block adds a banned term (a word, a phrase or a /regexp/) and returns the
// live list to keep. A term already listed is not added twice. A term that
// matches empty text or much of ordinary chat, or that is over the regexp
// budget, is refused; the error says why, in words fit for chat.
func (e *Engine) Block(t string) ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.addBlocked(t); err != nil {
		return nil, err
	}
	return append([]string(nil), e.blocked...), nil
}

func (e *Engine) addBlocked(t string) error {
	if e.banned == nil {
		return ErrBannedTermsOff
	}
	t = strings.TrimSpace(t)
	for _, b := range e.blocked {
		if strings.EqualFold(b, t) {
			return nil
		}
	}
	parsed, err := parseTerm(t)
	if err != nil {
		return err
	}
	// The channel's terms from the config and from !block are matched
	// together, so they share one budget.
	if err := fits(parsed, e.banned.configured, e.banned.live); err != nil {
		return err
	}
	if e.banned.live == noTerms() {
		// Every channel starts on the shared empty set; its first
		// !block gives it one of its own.
		e.banned.live = &termSet{}
	}
	e.banned.live.addTerm(parsed)
	e.blocked = append(e.blocked, t)
	return nil
}

// Unblock removes a term added with Block. It reports whether the term was
// there, and returns the live list to keep.
func (e *Engine) Unblock(t string) ([]string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t = strings.TrimSpace(t)
	kept := e.blocked[:0:0]
	found := false
	for _, b := range e.blocked {
		if strings.EqualFold(b, t) {
			found = true
			continue
		}
		kept = append(kept, b)
	}
	if !found || e.banned == nil {
		return append([]string(nil), e.blocked...), false
	}
	e.banned.live = e.banned.live.without(func(source string) bool { return strings.EqualFold(source, t) })
	e.blocked = kept
	return append([]string(nil), kept...), true
}

// Blocked returns the live block list, sorted.
func (e *Engine) Blocked() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := append([]string(nil), e.blocked...)
	sort.Strings(out)
	return out
}

// Ladder returns the channel's penalty ladder.
func (e *Engine) Ladder() []Step { return append([]Step(nil), e.ladder...) }

func (e *Engine) clock(at time.Time) time.Time {
	if at.IsZero() {
		return e.now()
	}
	return at
}
