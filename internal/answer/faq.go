package answer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxTextRunes is Twitch's limit on one chat message. An answer longer than
// that would have to be split, and a question longer than that can never be
// typed, so both are refused when the file is loaded rather than discovered
// live on stream.
const maxTextRunes = 500

var idPattern = regexp.MustCompile(`^[a-z0-9-]+$`)

var (
	topFields   = []string{"entries"}
	entryFields = []string{"id", "questions", "keywords", "answer", "answer_zh", "answer_en", "cooldown", "announce"}
	// answerLangs maps the per-language answer fields to the keys of
	// Entry.Answers.
	answerLangs = []struct{ field, lang string }{{"answer_zh", "zh"}, {"answer_en", "en"}}
)

// Problem is one thing wrong in a FAQ file, located precisely enough that a
// streamer can jump to it in an editor and a moderator can read it in a log.
type Problem struct {
	// File is the path given to LoadFAQ or the name given to ParseFAQ.
	File string
	// Line is 1-based; 0 only when nothing better is known.
	Line int
	// Field is the path of the offending value, such as "entries[3].id";
	// "yaml" when the file is not valid YAML at all, "file" when the
	// problem is with the file as a whole.
	Field string
	// Problem says what is wrong, in words a streamer can act on.
	Problem string
}

// String formats the problem as file:line: field: problem, the shape
// editors and terminals already know how to jump to.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(p.Line))
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Problem)
	return b.String()
}

// ValidationError reports every problem found in a set of FAQ files, so a
// streamer can fix them all in one pass instead of one per restart.
type ValidationError struct {
	Problems []Problem
}

// Error puts one problem on each line, in file order and then line order.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// ParseFAQ parses and validates one FAQ file's contents; name is used only
// to locate problems. It is all or nothing: on any problem it returns no
// entries and a *ValidationError listing them all, so a bot reloading a
// half-edited file keeps the FAQ it already has.
func ParseFAQ(name string, data []byte) ([]Entry, error) {
	p := &faqParser{file: name, seen: newFAQRegistry()}
	entries := p.parse(data)
	if len(p.problems) > 0 {
		return nil, &ValidationError{Problems: p.sorted()}
	}
	return entries, nil
}

// LoadFAQ reads and validates the FAQ files of one channel. Ids and
// questions must be unique across all of them, since the channel answers
// from their union. Problems in every file are reported together as a
// *ValidationError; a file that cannot be read stops the load at once with
// an error wrapping the os error. With no paths it returns no entries: a
// channel may run moderation alone.
func LoadFAQ(paths ...string) ([]Entry, error) {
	var (
		all      []Entry
		problems []Problem
		seen     = newFAQRegistry()
		files    = make(map[string]bool)
	)
	for _, path := range paths {
		clean := filepath.Clean(path)
		if files[clean] {
			// Loading it again would report every id in it as a
			// duplicate of itself, which hides the real mistake.
			problems = append(problems, Problem{File: path, Field: "file", Problem: "listed more than once"})
			continue
		}
		files[clean] = true

		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("load faq: %w", err)
		}
		p := &faqParser{file: path, seen: seen}
		entries := p.parse(data)
		problems = append(problems, p.sorted()...)
		all = append(all, entries...)
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return all, nil
}

// faqRegistry remembers where each id and question was first defined, so the
// second definition can point back at the first.
type faqRegistry struct {
	ids       map[string]faqPos
	questions map[string]questionOwner
}

type faqPos struct {
	file string
	line int
}

func (l faqPos) String() string { return l.file + ":" + strconv.Itoa(l.line) }

type questionOwner struct {
	entry faqPos // identifies the entry even when its id is broken
	id    string
	at    faqPos
}

func newFAQRegistry() *faqRegistry {
	return &faqRegistry{ids: make(map[string]faqPos), questions: make(map[string]questionOwner)}
}

// questionKey folds case and spacing, which do not change what a viewer is
// asking, so near-identical questions are caught as the same one.
func questionKey(q string) string {
	return strings.Join(strings.Fields(strings.ToLower(q)), " ")
}

type faqParser struct {
	file     string
	seen     *faqRegistry
	problems []Problem
}

func (p *faqParser) add(line int, field, problem string) {
	p.problems = append(p.problems, Problem{File: p.file, Line: line, Field: field, Problem: problem})
}

func (p *faqParser) addf(line int, field, format string, args ...any) {
	p.add(line, field, fmt.Sprintf(format, args...))
}

// sorted returns the problems in line order: they are found field by
// field, but a missing field is reported at its entry's first line.
func (p *faqParser) sorted() []Problem {
	slices.SortStableFunc(p.problems, func(a, b Problem) int { return a.Line - b.Line })
	return p.problems
}

func (p *faqParser) parse(data []byte) []Entry {
	root := p.document(data)
	if root == nil {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		p.addf(root.Line, "entries", "missing: the file must be a mapping with an entries list, not %s", describeNode(root))
		return nil
	}
	fields := p.mapping(root, "", topFields)
	list, ok := fields["entries"]
	if !ok {
		p.add(root.Line, "entries", "missing")
		return nil
	}
	items, ok := p.list(list.value, "entries")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.add(list.value.Line, "entries", "no entries")
		return nil
	}
	entries := make([]Entry, 0, len(items))
	for i, item := range items {
		if e, ok := p.entry(item, fmt.Sprintf("entries[%d]", i)); ok {
			entries = append(entries, e)
		}
	}
	return entries
}

// document decodes data into its root node, or returns nil after recording
// why it cannot.
func (p *faqParser) document(data []byte) *yaml.Node {
	if !p.checkText(data) {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.add(1, "entries", "missing: the file is empty")
		} else {
			p.syntaxError(err, data)
		}
		return nil
	}
	// A second document would be silently ignored by a plain decode, and
	// with it every entry the streamer wrote after the "---".
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.syntaxError(err, data)
		return nil
	default:
		p.add(extra.Line, "yaml", `a second document ("---"): keep all entries under the one entries list`)
		return nil
	}
	if len(doc.Content) == 0 {
		p.add(1, "entries", "missing: the file is empty")
		return nil
	}
	root := resolveAlias(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		p.add(root.Line, "entries", "missing: the file is empty")
		return nil
	}
	return root
}

// checkText finds the characters YAML refuses before the YAML decoder does,
// because the decoder reports them without a line number.
func (p *faqParser) checkText(data []byte) bool {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		switch {
		case r == utf8.RuneError && size == 1:
			p.add(line, "yaml", "not valid UTF-8 text: save the file as UTF-8")
			return false
		case r == '\n':
			line++
		case r == '\t' || r == '\r' || r == 0x85:
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0xfffe || r == 0xffff:
			p.addf(line, "yaml", "control character %U is not allowed", r)
			return false
		}
		data = data[size:]
	}
	return true
}

// yamlLine matches the position yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parserProblems are the yaml.v3 errors raised by its parser rather than its
// scanner. yaml.v3 counts lines from zero and corrects that only for scanner
// errors, so these come out one line early. Their line is where the
// enclosing mapping or list starts, or failing that where parsing stopped.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected key":              true,
	"did not find expected '-' indicator":    true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found incompatible YAML document":       true,
	"found duplicate %YAML directive":        true,
	"found duplicate %TAG directive":         true,
	"found undefined tag handle":             true,
}

func (p *faqParser) syntaxError(err error, data []byte) {
	msg := err.Error()
	// yaml.v3 prints a line only when it is not its line zero, so no line
	// means the first line; the characters that give no position at all
	// are caught earlier by checkText.
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
		if parserProblems[msg] {
			line++
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	// An error at the end of the input is placed after the final newline,
	// on a line no editor shows.
	if last := yamlLastLine(data); line > last {
		line = last
	}
	p.add(line, "yaml", msg)
}

// yamlLastLine is the number of the last line of data that an editor shows.
func yamlLastLine(data []byte) int {
	n := bytes.Count(data, []byte("\n"))
	if len(data) == 0 || data[len(data)-1] != '\n' {
		n++
	}
	return max(n, 1)
}

type faqField struct {
	key, value *yaml.Node
}

// mapping returns the known fields of m by name, reporting unknown and
// repeated keys. yaml.v3 only notices repeated keys when decoding into Go
// values, and a repeated key would otherwise drop one of the values unseen.
func (p *faqParser) mapping(m *yaml.Node, prefix string, known []string) map[string]faqField {
	fields := make(map[string]faqField, len(known))
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := resolveAlias(m.Content[i]), resolveAlias(m.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.addf(k.Line, fieldPath(prefix, "?"), "field names must be plain words, not %s", describeNode(k))
			continue
		}
		path := fieldPath(prefix, k.Value)
		if !slices.Contains(known, k.Value) {
			p.add(k.Line, path, unknownField(k.Value, known))
			continue
		}
		if first, ok := fields[k.Value]; ok {
			p.addf(k.Line, path, "repeated (first at line %d)", first.key.Line)
			continue
		}
		fields[k.Value] = faqField{key: k, value: v}
	}
	return fields
}

func (p *faqParser) entry(n *yaml.Node, path string) (Entry, bool) {
	if n.Kind != yaml.MappingNode {
		p.addf(n.Line, path, "want a mapping with id, questions and answer, got %s", describeNode(n))
		return Entry{}, false
	}
	before := len(p.problems)
	e := Entry{File: p.file, Line: n.Line}
	fields := p.mapping(n, path, entryFields)

	if f, ok := p.required(fields, n, path, "id"); ok {
		e.ID = p.id(f.value, path+".id")
	}
	if f, ok := p.required(fields, n, path, "questions"); ok {
		e.Questions = p.questions(f.value, path+".questions", e.ID, faqPos{p.file, n.Line})
	}
	if f, ok := fields["keywords"]; ok {
		e.Keywords = p.keywords(f.value, path+".keywords")
	}
	if f, ok := p.required(fields, n, path, "answer"); ok {
		e.Answer, _ = p.chatText(f.value, path+".answer")
	}
	for _, al := range answerLangs {
		f, ok := fields[al.field]
		if !ok {
			continue
		}
		if s, ok := p.chatText(f.value, fieldPath(path, al.field)); ok {
			if e.Answers == nil {
				e.Answers = make(map[string]string, len(answerLangs))
			}
			e.Answers[al.lang] = s
		}
	}
	if f, ok := fields["cooldown"]; ok {
		e.Cooldown = p.cooldown(f.value, path+".cooldown")
	}
	if f, ok := fields["announce"]; ok {
		e.Announce = p.announce(f.value, path+".announce")
	}
	return e, len(p.problems) == before
}

func (p *faqParser) required(fields map[string]faqField, entry *yaml.Node, path, name string) (faqField, bool) {
	f, ok := fields[name]
	if !ok {
		p.add(entry.Line, fieldPath(path, name), "missing")
	}
	return f, ok
}

func (p *faqParser) id(v *yaml.Node, path string) string {
	s, ok := p.text(v, path)
	switch {
	case !ok:
		return ""
	case s == "":
		p.add(v.Line, path, "empty")
		return ""
	case !idPattern.MatchString(s):
		p.addf(v.Line, path, "%q: use only lowercase letters a-z, digits 0-9 and -", s)
		return ""
	}
	here := faqPos{p.file, v.Line}
	if first, ok := p.seen.ids[s]; ok {
		p.addf(v.Line, path, "duplicate id %q (first at %s)", s, first)
		return s
	}
	p.seen.ids[s] = here
	return s
}

func (p *faqParser) questions(v *yaml.Node, path, id string, entry faqPos) []string {
	items, ok := p.list(v, path)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.add(v.Line, path, "empty: give at least one example question")
		return nil
	}
	qs := make([]string, 0, len(items))
	for j, item := range items {
		qpath := fmt.Sprintf("%s[%d]", path, j)
		q, ok := p.chatText(item, qpath)
		if !ok {
			continue
		}
		qs = append(qs, q)
		// The same question under two entries leaves the matcher a coin
		// toss; under one entry it is merely redundant.
		key := questionKey(q)
		here := faqPos{p.file, item.Line}
		if first, ok := p.seen.questions[key]; ok {
			if first.entry != entry {
				owner := "another entry"
				if first.id != "" {
					owner = fmt.Sprintf("entry %q", first.id)
				}
				p.addf(item.Line, qpath, "%q is already a question of %s (%s)", q, owner, first.at)
			}
			continue
		}
		p.seen.questions[key] = questionOwner{entry: entry, id: id, at: here}
	}
	return qs
}

func (p *faqParser) keywords(v *yaml.Node, path string) []string {
	items, ok := p.list(v, path)
	if !ok {
		return nil
	}
	kws := make([]string, 0, len(items))
	for j, item := range items {
		kpath := fmt.Sprintf("%s[%d]", path, j)
		s, ok := p.text(item, kpath)
		if !ok {
			continue
		}
		if s == "" {
			p.add(item.Line, kpath, "empty")
			continue
		}
		kws = append(kws, s)
	}
	return kws
}

func (p *faqParser) cooldown(v *yaml.Node, path string) time.Duration {
	d, _ := p.duration(v, path, "a duration such as 2m", "90s, 2m or 1h30m")
	return d
}

// MinAnnounce is the shortest announce interval an entry may ask for: a tip
// posted more often than that stops being a tip and becomes spam.
const MinAnnounce = 5 * time.Minute

func (p *faqParser) announce(v *yaml.Node, path string) time.Duration {
	d, ok := p.duration(v, path, "how often the bot may post this entry unasked, such as 30m", "30m or 1h")
	if ok && d < MinAnnounce {
		p.addf(v.Line, path, "%q is too often: at most once every %s", v.Value, "5m")
		return 0
	}
	return d
}

// duration reads a non-negative duration; want and examples word the
// problems. ok is false when the field had a problem.
func (p *faqParser) duration(v *yaml.Node, path, want, examples string) (time.Duration, bool) {
	s, ok := p.text(v, path)
	if !ok {
		return 0, false
	}
	if s == "" {
		p.add(v.Line, path, "empty: write "+want+", or leave the field out")
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		p.addf(v.Line, path, "%q is not a duration: write e.g. %s", s, examples)
		return 0, false
	}
	if d < 0 {
		p.addf(v.Line, path, "%q is negative", s)
		return 0, false
	}
	return d, true
}

// chatText reads a string that will be posted to or typed in chat.
func (p *faqParser) chatText(v *yaml.Node, path string) (string, bool) {
	s, ok := p.text(v, path)
	if !ok {
		return "", false
	}
	if s == "" {
		p.add(v.Line, path, "empty")
		return "", false
	}
	if n := utf8.RuneCountInString(s); n > maxTextRunes {
		p.addf(v.Line, path, "%d characters long; a chat message holds at most %d", n, maxTextRunes)
		return "", false
	}
	return s, true
}

// text reads a scalar as the streamer typed it. Numbers and booleans are
// taken as their text, since `answer: 42` or an id of 2024 mean just that;
// null counts as empty.
func (p *faqParser) text(v *yaml.Node, path string) (string, bool) {
	if v.Kind != yaml.ScalarNode {
		p.addf(v.Line, path, "want text, got %s", describeNode(v))
		return "", false
	}
	if v.Tag == "!!null" {
		return "", true
	}
	return strings.TrimSpace(v.Value), true
}

// list returns the items of a sequence; a null value is an empty list.
func (p *faqParser) list(v *yaml.Node, path string) ([]*yaml.Node, bool) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, true
	}
	if v.Kind != yaml.SequenceNode {
		p.addf(v.Line, path, "want a list, got %s", describeNode(v))
		return nil, false
	}
	items := make([]*yaml.Node, len(v.Content))
	for i, item := range v.Content {
		items[i] = resolveAlias(item)
	}
	return items, true
}

// resolveAlias follows aliases, so an anchored value can be reused like any other.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// describeNode names a node's type the way a streamer would, for "want X, got
// Y" messages.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "nothing"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "true/false"
		}
		return fmt.Sprintf("text %q", n.Value)
	}
	return "an unexpected value"
}

func fieldPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// unknownField names the known field the streamer most likely meant, since
// a misspelt optional field would otherwise be silently ignored.
func unknownField(name string, known []string) string {
	if strings.HasPrefix(name, "answer_") && slices.Contains(known, "answer") {
		return "unknown field (the per-language answers are answer_en and answer_zh)"
	}
	best, bestDist := "", 3 // more than two edits away is not a typo
	for _, k := range known {
		if d := editDistance(strings.ToLower(name), k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown field (did you mean %q?)", best)
	}
	return "unknown field"
}

// editDistance is the Levenshtein distance between a and b in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
