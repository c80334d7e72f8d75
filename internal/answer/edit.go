package answer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/chatdesk/chatdesk/internal/atomicfile"
)

// Edit is a streamer's change to one FAQ entry: its answer and its example
// questions, as the web desk's FAQ page sends them.
type Edit struct {
	ID        string
	Answer    string
	Questions []string
}

// ErrNoEntry is an Edit of an id that none of the files holds.
var ErrNoEntry = errors.New("no such FAQ entry")

// EditFAQ changes entry e.ID in whichever of files holds it and makes r
// answer from the result. The file is edited as YAML nodes, so its comments,
// its order and every other entry stay as the streamer wrote them; it is
// replaced all at once, and only once all of files load as `bot check`
// loads them, so an edit can never leave the channel with an FAQ that does
// not load. It returns the file it wrote.
func EditFAQ(files []string, r *Responder, e Edit) (string, error) {
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("edit faq: %w", err)
		}
		out, found, err := editEntry(data, e)
		if err != nil {
			return "", fmt.Errorf("edit faq %s: %w", path, err)
		}
		if !found {
			continue
		}
		return path, replaceChecked(files, path, out, r)
	}
	return "", fmt.Errorf("edit faq: %w %q", ErrNoEntry, e.ID)
}

// replaceChecked writes data over path once files, path's new data among
// them, load; then swaps r's index.
func replaceChecked(files []string, path string, data []byte, r *Responder) error {
	tmp, err := atomicfile.CreateTemp(path)
	if err != nil {
		return fmt.Errorf("edit faq: %w", err)
	}
	defer os.Remove(tmp.Name())
	perm := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		perm = st.Mode().Perm()
	}
	if err := atomicfile.Fill(tmp, data, perm); err != nil {
		return fmt.Errorf("edit faq: %w", err)
	}
	trial := make([]string, len(files))
	for i, f := range files {
		trial[i] = f
		if f == path {
			trial[i] = tmp.Name()
		}
	}
	entries, err := LoadFAQ(trial...)
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			for i := range ve.Problems {
				if ve.Problems[i].File == tmp.Name() {
					ve.Problems[i].File = path
				}
			}
			return ve
		}
		return fmt.Errorf("edit faq: %s", strings.ReplaceAll(err.Error(), tmp.Name(), path))
	}
	ix, err := Build(entries)
	if err != nil {
		return fmt.Errorf("edit faq: %w", err)
	}
	if err := atomicfile.Commit(tmp.Name(), path); err != nil {
		ix.Close()
		return fmt.Errorf("edit faq: %w", err)
	}
	if r != nil {
		r.Swap(ix)
	} else {
		ix.Close()
	}
	return nil
}

// editEntry applies e to the file data, reporting whether data holds e.ID.
func editEntry(data []byte, e Edit) ([]byte, bool, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, false, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, false, nil
	}
	list := mappingValue(doc.Content[0], "entries")
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil, false, nil
	}
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			continue
		}
		if id := mappingValue(item, "id"); id == nil || id.Value != e.ID {
			continue
		}
		setScalar(item, "answer", e.Answer)
		qs := mappingValue(item, "questions")
		if qs == nil || qs.Kind != yaml.SequenceNode {
			qs = &yaml.Node{Kind: yaml.SequenceNode}
			item.Content = append(item.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "questions"}, qs)
		}
		// Keep the comments of questions that stay, in the new order.
		old := map[string]*yaml.Node{}
		for _, q := range qs.Content {
			old[q.Value] = q
		}
		qs.Content = nil
		for _, q := range e.Questions {
			n, ok := old[q]
			if !ok {
				n = &yaml.Node{Kind: yaml.ScalarNode, Value: q}
			}
			qs.Content = append(qs.Content, n)
		}
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(&doc); err != nil {
			return nil, true, err
		}
		if err := enc.Close(); err != nil {
			return nil, true, err
		}
		if bytes.Contains(data, []byte("\n\n")) {
			return spaceEntries(b.Bytes()), true, nil
		}
		return b.Bytes(), true, nil
	}
	return nil, false, nil
}

// spaceEntries puts back the blank line before each entry (and its
// comments) that the YAML encoder drops, for a file written that way.
func spaceEntries(out []byte) []byte {
	var doc yaml.Node
	if yaml.Unmarshal(out, &doc) != nil || len(doc.Content) == 0 {
		return out
	}
	list := mappingValue(doc.Content[0], "entries")
	if list == nil || list.Kind != yaml.SequenceNode {
		return out
	}
	lines := strings.Split(string(out), "\n")
	blank := map[int]bool{}
	for i, item := range list.Content {
		if i == 0 {
			continue
		}
		at := item.Line - 1 // 0-based line of the entry's first key
		for at > 0 && strings.HasPrefix(strings.TrimSpace(lines[at-1]), "#") {
			at--
		}
		if at > 0 && strings.TrimSpace(lines[at-1]) != "" {
			blank[at] = true
		}
	}
	var b strings.Builder
	for i, l := range lines {
		if blank[i] {
			b.WriteString("\n")
		}
		b.WriteString(l)
		if i < len(lines)-1 {
			b.WriteString("\n")
		}
	}
	return []byte(b.String())
}

// mappingValue is the value node of key in mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setScalar sets key's value in m, keeping its node (and comments) when
// there is one.
func setScalar(m *yaml.Node, key, value string) {
	if v := mappingValue(m, key); v != nil {
		v.Kind, v.Tag, v.Value, v.Content = yaml.ScalarNode, "!!str", value, nil
		return
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}
