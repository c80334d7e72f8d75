package moderation

import (
	"fmt"
	"strings"
	"time"
)

// The rule names, as config files and verdicts spell them.
const (
	RuleBannedTerms  = "banned_terms"
	RuleLinks        = "links"
	RuleCaps         = "caps"
	RuleSymbols      = "symbols"
	RuleEmotes       = "emotes"
	RuleLength       = "length"
	RuleRepetition   = "repetition"
	RuleDuplicate    = "duplicate"
	RuleFlood        = "flood"
	RuleCopypasta    = "copypasta"
	RuleZalgo        = "zalgo"
	RuleFirstChatter = "first_chatter"
	RuleSpamBots     = "spam_bots"
	RuleSpamWave     = "spam_wave"
	RuleSpam         = "spam"
)

// DefaultSpamPhrases are phrases that, in Twitch chat, only spam bots and
// self-promoters write: follower and viewer sellers, "check out my
// channel". The spam rule applies them to everyone.
var DefaultSpamPhrases = []string{
	"best viewers on", "cheap primes", "cheap viewers", "cheap followers", "followers primes and viewers",
	"primes and viewers", "wanna become famous", "want to become famous", "promote your stream",
	"promote your channel", "grow your channel", "grow your stream", "check out my channel",
	"subscribe to my channel", "sub to my channel", "sub 4 sub", "sub4sub", "follow 4 follow", "follow4follow",
	"double your money", "contact me on telegram", "message me on telegram", "dogehype", "streamboo", "bigfollows",
}

// DefaultFirstChatterPhrases add phrases an honest regular might use
// ("did he buy followers?") but that, as someone's very first message,
// are the spam bots' opening line. Not "get viewers" nor "viewers on":
// a newcomer asking "how did you get viewers so fast?" or "more viewers on
// weekends?" is the most honest of first messages, and the spam_bots rule
// knows the viewer sellers by their pitch instead.
var DefaultFirstChatterPhrases = append(append([]string(nil), DefaultSpamPhrases...),
	"buy followers", "buy viewers", "buy views", "free followers", "free viewers",
	"become famous", "you have won", "you've won", "claim your prize", "claim your reward",
)

// registry is every rule, in the order the engine checks them; a message
// that breaks several is judged by the most severe, the earliest on a tie.
var registry = []ruleSpec{
	{
		RuleInfo: RuleInfo{Name: RuleBannedTerms, Summary: "banned words, phrases and /regexps/ (whole words, any disguise)", Options: []string{"terms"}},
		defaults: RuleSettings{Enabled: true, Severity: 2},
		build: func(_ RuleSettings, env *buildEnv) (Rule, error) {
			return &bannedRule{configured: env.terms(RuleBannedTerms, "terms"), live: noTerms()}, nil
		},
	},
	{
		RuleInfo: RuleInfo{Name: RuleLinks, Summary: "links outside the allowed domains, disguised ones too (!permit lets one through)", Options: []string{"allow", "permit"}},
		defaults: RuleSettings{Enabled: true, Severity: 2, Exempt: []Role{RoleVIP}, Allow: []string{"twitch.tv", "youtube.com", "youtu.be"}, Permit: time.Minute},
		build: func(s RuleSettings, env *buildEnv) (Rule, error) {
			return &linksRule{allow: env.allow}, nil
		},
	},
	{
		RuleInfo: RuleInfo{Name: RuleCaps, Summary: "shouting: the share of capitals among letters, emotes left out", Options: []string{"ratio", "min_length"}},
		defaults: RuleSettings{Enabled: false, Severity: 1, Exempt: []Role{RoleVIP}, Ratio: 0.8, MinLength: 24},
		build: func(s RuleSettings, _ *buildEnv) (Rule, error) {
			return &capsRule{ratio: s.Ratio, minLen: s.MinLength}, nil
		},
	},
	{
		RuleInfo: RuleInfo{Name: RuleSymbols, Summary: "symbol walls and ASCII art (letters of every script and emoji are not symbols)", Options: []string{"ratio", "min_length"}},
		defaults: RuleSettings{Enabled: true, Severity: 1, Exempt: []Role{RoleVIP}, Ratio: 0.8, MinLength: 30},
		build: func(s RuleSettings, _ *buildEnv) (Rule, error) {
			return &symbolsRule{ratio: s.Ratio, minLen: s.MinLength}, nil
		},
	},
	{
		RuleInfo: RuleInfo{Name: RuleEmotes, Summary: "emote walls: emotes and emoji in one message", Options: []string{"max"}},
		defaults: RuleSettings{Enabled: true, Severity: 1, Exempt: []Role{RoleVIP, RoleSubscriber}, Max: 60},
		build: func(s RuleSettings, _ *buildEnv) (Rule, error) {
			return &emotesRule{max: s.Max}, nil
		},
		validate: needMax(1),
	},
	{
		RuleInfo: RuleInfo{Name: RuleLength, Summary: "messages longer than max characters", Options: []string{"max"}},
		defaults: RuleSettings{Enabled: false, Severity: 1, Exempt: []Role{RoleVIP}, Max: 350},
		build: func(s RuleSettings, _ *buildEnv) (Rule, error) {
			return &lengthRule{max: s.Max}, nil
		},
		validate: needMax(1),
	},
	{
		RuleInfo: RuleInfo{Name: RuleRepetition, Summary: "one character repeated more than max times, or one word more than max_words times", Options: []string{"max", "max_words"}},
		defaults: RuleSettings{Enabled: true, Severity: 1, Exempt: []Role{RoleVIP}, Max: 60, MaxWords: 20},
		build: func(s RuleSettings, _ *buildEnv) (Rule, error) {
			return &repetitionRule{maxRun: s.Max, maxWords: s.MaxWords}, nil
		},
		validate: needMax(2),
	},
	{
		RuleInfo: RuleInfo{Name: RuleDuplicate, Summary: "the same message from one chatter more than max times within window", Options: []string{"max", "window", "min_length"}},
		defaults: RuleSettings{Enabled: true, Severity: 2, Exempt: []Role{RoleVIP}, Max: 2, Window: time.Minute, MinLength: 10},
		build: func(s RuleSettings, _ *buildEnv) (Rule, error) {
			return &duplicateRule{max: s.Max, window: s.Window, minLen: s.MinLength}, nil
		},
		validate: needWindow(1, historySize-1),
	},
	{
		RuleInfo: RuleInfo{Name: RuleFlood, Summary: "more than max messages from one chatter within window", Options: []string{"max", "window"}},
		defaults: RuleSettings{Enabled: true, Severity: 3, Exempt: []Role{RoleVIP}, Max: 7, Window: 10 * time.Second},
		build: func(s RuleSettings, _ *buildEnv) (Rule, error) {
			return &floodRule{max: s.Max, window: s.Window}, nil
		},
		validate: needWindow(1, historySize-1),
	},
	{
		RuleInfo: RuleInfo{Name: RuleCopypasta, Summary: "the same text from max different chatters within window (off by default)", Options: []string{"max", "window", "min_length"}},
		defaults: RuleSettings{Enabled: false, Severity: 2, Exempt: []Role{RoleVIP, RoleSubscriber}, Max: 5, Window: time.Minute, MinLength: 20},
		build: func(s RuleSettings, _ *buildEnv) (Rule, error) {
			return &copypastaRule{users: s.Max, window: s.Window, minLen: s.MinLength}, nil
		},
		validate: needWindow(2, maxPasters),
	},
	{
		RuleInfo: RuleInfo{Name: RuleZalgo, Summary: "zalgo: more than max combining marks stacked on one character", Options: []string{"max"}},
		defaults: RuleSettings{Enabled: true, Severity: 2, Max: 4},
		build: func(s RuleSettings, _ *buildEnv) (Rule, error) {
			return &zalgoRule{max: s.Max}, nil
		},
		validate: needMax(1),
	},
	{
		RuleInfo: RuleInfo{Name: RuleFirstChatter, Summary: "a first-time chatter posting a link or a known spam phrase: the strict path", Options: []string{"phrases"}},
		defaults: RuleSettings{Enabled: true, Severity: 4, Phrases: DefaultFirstChatterPhrases},
		build: func(_ RuleSettings, env *buildEnv) (Rule, error) {
			return &firstChatterRule{allow: env.allow, phrases: env.terms(RuleFirstChatter, "phrases")}, nil
		},
	},
	{
		RuleInfo: RuleInfo{Name: RuleSpamBots, Summary: "the spam bots' families: handle bait, dotless viewer-selling sites, fake mentors, viewer selling; harsher for a young account's first message", Options: []string{"young_account", "young_severity"}},
		defaults: RuleSettings{Enabled: true, Severity: 2, Exempt: []Role{RoleVIP}, YoungAccount: DefaultYoungAccount, YoungSeverity: DefaultYoungSeverity},
		build: func(_ RuleSettings, env *buildEnv) (Rule, error) {
			return &spamBotsRule{allow: env.allow}, nil
		},
	},
	{
		RuleInfo: RuleInfo{Name: RuleSpamWave, Summary: "nearly the same first message from max new chatters within window, with a sign of spam (a family, a link, a spam score from threshold)", Options: []string{"max", "window", "min_length", "threshold"}},
		defaults: RuleSettings{Enabled: true, Severity: 4, Exempt: []Role{RoleVIP}, Max: 3, Window: 2 * time.Minute, MinLength: 20, Threshold: DefaultWaveThreshold},
		build: func(s RuleSettings, env *buildEnv) (Rule, error) {
			return &spamWaveRule{users: s.Max, window: s.Window, minLen: s.MinLength, threshold: s.Threshold, allow: env.allow, model: spamModel()}, nil
		},
		validate: needWindow(2, waveRing),
	},
	{
		RuleInfo: RuleInfo{Name: RuleSpam, Summary: "known spam phrases, and a spam score learned from labelled spam", Options: []string{"phrases", "threshold"}},
		defaults: RuleSettings{Enabled: true, Severity: 2, Exempt: []Role{RoleVIP}, Phrases: DefaultSpamPhrases, Threshold: DefaultSpamThreshold},
		build: func(s RuleSettings, env *buildEnv) (Rule, error) {
			return &spamRule{phrases: env.terms(RuleSpam, "phrases"), threshold: s.Threshold, model: spamModel()}, nil
		},
	},
}

func needMax(least int) func(RuleSettings, func(string, string, ...any)) {
	return func(s RuleSettings, add func(string, string, ...any)) {
		if s.Max < least {
			add("max", "must be at least %d, got %d", least, s.Max)
		}
	}
}

func needWindow(least, most int) func(RuleSettings, func(string, string, ...any)) {
	return func(s RuleSettings, add func(string, string, ...any)) {
		if s.Max < least || s.Max > most {
			add("max", "must be between %d and %d, got %d", least, most, s.Max)
		}
		if s.Window <= 0 {
			add("window", "must be positive, e.g. 30s")
		}
	}
}

// bannedRule matches the channel's banned terms: those in the config and
// those moderators add with !block.
type bannedRule struct {
	configured *termSet
	live       *termSet
}

func (r *bannedRule) Name() string { return RuleBannedTerms }

func (r *bannedRule) Check(in *Input) (Hit, bool) {
	t, ok := r.configured.match(in)
	if !ok {
		t, ok = r.live.match(in)
	}
	if !ok {
		return Hit{}, false
	}
	return Hit{Notice: "that word isn't allowed here", Detail: fmt.Sprintf("banned term %q", t.source)}, true
}

// domainList is a set of allowed domains; a subdomain of one is allowed
// too.
type domainList []string

// normalizeDomain turns what a streamer writes ("https://www.YouTube.com/")
// into a bare host ("youtube.com").
func normalizeDomain(d string) (string, error) {
	d = strings.ToLower(strings.TrimSpace(d))
	d = strings.TrimPrefix(d, "https://")
	d = strings.TrimPrefix(d, "http://")
	d = strings.TrimPrefix(d, "www.")
	d = strings.TrimSuffix(d, "/")
	if d == "" || !strings.Contains(d, ".") || strings.ContainsAny(d, " /:@") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return "", fmt.Errorf("want a domain such as example.com, got %q", d)
	}
	return d, nil
}

func (l domainList) allows(host []byte) bool {
	for _, d := range l {
		if len(host) == len(d) && string(host) == d {
			return true
		}
		if len(host) > len(d) && host[len(host)-len(d)-1] == '.' && string(host[len(host)-len(d):]) == d {
			return true
		}
	}
	return false
}

// firstBadLink returns the first link in the input that its domain list
// does not allow, or -1.
func firstBadLink(in *Input, allow domainList) int {
	for i := 0; i < in.NumLinks(); i++ {
		if !allow.allows(in.LinkHost(i)) {
			return i
		}
	}
	return -1
}

type linksRule struct{ allow domainList }

func (r *linksRule) Name() string { return RuleLinks }

func (r *linksRule) Check(in *Input) (Hit, bool) {
	if in.NumLinks() == 0 || in.Permitted() {
		return Hit{}, false
	}
	i := firstBadLink(in, r.allow)
	if i < 0 {
		return Hit{}, false
	}
	detail := "link to " + string(in.LinkHost(i))
	if in.LinkDisguised(i) {
		detail += " (disguised)"
	}
	return Hit{Notice: "links aren't allowed here", Detail: detail}, true
}

type capsRule struct {
	ratio  float64
	minLen int
}

func (r *capsRule) Name() string { return RuleCaps }

func (r *capsRule) Check(in *Input) (Hit, bool) {
	if in.Letters < r.minLen || in.Letters == 0 {
		return Hit{}, false
	}
	share := float64(in.Upper) / float64(in.Letters)
	if share < r.ratio {
		return Hit{}, false
	}
	return Hit{Notice: "please don't shout", Detail: fmt.Sprintf("%.0f%% capitals in %d letters", share*100, in.Letters)}, true
}

type symbolsRule struct {
	ratio  float64
	minLen int
}

func (r *symbolsRule) Name() string { return RuleSymbols }

func (r *symbolsRule) Check(in *Input) (Hit, bool) {
	if in.Visible < r.minLen || in.Visible == 0 {
		return Hit{}, false
	}
	share := float64(in.Symbols) / float64(in.Visible)
	if share < r.ratio {
		return Hit{}, false
	}
	return Hit{Notice: "that's a lot of symbols", Detail: fmt.Sprintf("%.0f%% symbols in %d characters", share*100, in.Visible)}, true
}

type emotesRule struct{ max int }

func (r *emotesRule) Name() string { return RuleEmotes }

func (r *emotesRule) Check(in *Input) (Hit, bool) {
	if n := in.Emotes + in.Emoji; n > r.max {
		return Hit{Notice: "that's a lot of emotes", Detail: fmt.Sprintf("%d emotes and emoji (max %d)", n, r.max)}, true
	}
	return Hit{}, false
}

type lengthRule struct{ max int }

func (r *lengthRule) Name() string { return RuleLength }

func (r *lengthRule) Check(in *Input) (Hit, bool) {
	if in.Runes > r.max {
		return Hit{Notice: "please keep messages shorter", Detail: fmt.Sprintf("%d characters (max %d)", in.Runes, r.max)}, true
	}
	return Hit{}, false
}

type repetitionRule struct{ maxRun, maxWords int }

func (r *repetitionRule) Name() string { return RuleRepetition }

func (r *repetitionRule) Check(in *Input) (Hit, bool) {
	switch {
	case r.maxRun > 0 && in.MaxRun > r.maxRun:
		return Hit{Notice: "please don't repeat characters like that", Detail: fmt.Sprintf("one character %d times in a row (max %d)", in.MaxRun, r.maxRun)}, true
	case r.maxWords > 0 && in.MaxWordRepeat > r.maxWords:
		return Hit{Notice: "please don't repeat yourself like that", Detail: fmt.Sprintf("one word %d times (max %d)", in.MaxWordRepeat, r.maxWords)}, true
	}
	return Hit{}, false
}

type duplicateRule struct {
	max    int
	window time.Duration
	minLen int
}

func (r *duplicateRule) Name() string { return RuleDuplicate }

func (r *duplicateRule) Check(in *Input) (Hit, bool) {
	if in.EmoteOnly || len(in.Norm) < r.minLen {
		return Hit{}, false
	}
	n := 1 + in.user.count(in.Now, r.window, in.hash)
	if n > r.max {
		return Hit{Notice: "please don't post the same message again", Detail: fmt.Sprintf("same message %d times within %s", n, formatDuration(r.window))}, true
	}
	return Hit{}, false
}

type floodRule struct {
	max    int
	window time.Duration
}

func (r *floodRule) Name() string { return RuleFlood }

func (r *floodRule) Check(in *Input) (Hit, bool) {
	n := 1 + in.user.count(in.Now, r.window, 0)
	if n > r.max {
		return Hit{Notice: "slow down a little", Detail: fmt.Sprintf("%d messages within %s (max %d)", n, formatDuration(r.window), r.max)}, true
	}
	return Hit{}, false
}

type copypastaRule struct {
	users  int
	window time.Duration
	minLen int
}

func (r *copypastaRule) Name() string { return RuleCopypasta }

func (r *copypastaRule) Check(in *Input) (Hit, bool) {
	if in.EmoteOnly || len(in.Norm) < r.minLen {
		return Hit{}, false
	}
	n := in.recent.users(in.Now, r.window, in.hash, in.user.key)
	if n+1 >= r.users {
		return Hit{Notice: "no copypasta please", Detail: fmt.Sprintf("same text from %d chatters within %s", n+1, formatDuration(r.window))}, true
	}
	return Hit{}, false
}

type zalgoRule struct{ max int }

func (r *zalgoRule) Name() string { return RuleZalgo }

func (r *zalgoRule) Check(in *Input) (Hit, bool) {
	if in.MaxMarks > r.max {
		return Hit{Notice: "no zalgo text please", Detail: fmt.Sprintf("%d marks stacked on one character (max %d)", in.MaxMarks, r.max)}, true
	}
	return Hit{}, false
}

type firstChatterRule struct {
	allow   domainList
	phrases *termSet
}

func (r *firstChatterRule) Name() string { return RuleFirstChatter }

func (r *firstChatterRule) Check(in *Input) (Hit, bool) {
	if !in.Msg.First {
		return Hit{}, false
	}
	if !in.Permitted() {
		if i := firstBadLink(in, r.allow); i >= 0 {
			return Hit{Notice: "links aren't allowed in a first message", Detail: "first message with a link to " + string(in.LinkHost(i))}, true
		}
	}
	if t, ok := r.phrases.match(in); ok {
		return Hit{Notice: "that looks like spam", Detail: fmt.Sprintf("first message with spam phrase %q", t.source), Why: []string{"first message", fmt.Sprintf("phrase %q", t.source)}}, true
	}
	return Hit{}, false
}

type spamRule struct {
	phrases   *termSet
	threshold float64
	model     *spamModelData
}

func (r *spamRule) Name() string { return RuleSpam }

func (r *spamRule) Check(in *Input) (Hit, bool) {
	if t, ok := r.phrases.match(in); ok {
		return Hit{Notice: "that looks like spam", Detail: fmt.Sprintf("spam phrase %q", t.source), Why: []string{fmt.Sprintf("phrase %q", t.source)}}, true
	}
	if r.threshold >= 1 {
		return Hit{}, false
	}
	if p, ok := r.model.score(in); ok && p >= r.threshold {
		return Hit{Notice: "that looks like spam", Detail: fmt.Sprintf("spam score %.2f (threshold %.2f)", p, r.threshold), Why: append([]string{fmt.Sprintf("spam score %.2f", p)}, r.model.explain(in, explainWords)...)}, true
	}
	return Hit{}, false
}

// spamBotsRule recognises the families of messages Twitch spam bots send
// (see Family).
type spamBotsRule struct{ allow domainList }

func (r *spamBotsRule) Name() string { return RuleSpamBots }

func (r *spamBotsRule) Check(in *Input) (Hit, bool) {
	h, ok := checkFamilies(in, r.allow)
	if !ok {
		return Hit{}, false
	}
	why := append([]string{"family: " + string(h.family)}, h.why...)
	return Hit{Notice: "that looks like spam", Detail: string(h.family) + ": " + strings.Join(h.why, " + "), Why: why}, true
}
