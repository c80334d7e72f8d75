package answer

import (
	"context"
	"errors"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/embedding"
	"github.com/chatdesk/chatdesk/internal/question"
)

// charEmbedder stands in for a multilingual model: a text's vector counts
// its characters, hashed into 64 dimensions, so texts sharing characters
// are close in any script. fail makes every call fail.
type charEmbedder struct {
	fail  bool
	calls int
}

func (c *charEmbedder) Name() string { return "chars" }

func (c *charEmbedder) Embed(_ context.Context, texts []string) ([]embedding.Vector, error) {
	c.calls++
	if c.fail {
		return nil, errors.New("endpoint down")
	}
	out := make([]embedding.Vector, len(texts))
	for i, t := range texts {
		v := make([]float64, 64)
		for _, r := range t {
			h := fnv.New32a()
			h.Write([]byte(string(r)))
			v[h.Sum32()%64]++
		}
		out[i] = unit(v)
	}
	return out, nil
}

func (c *charEmbedder) Query(ctx context.Context, text string) (embedding.Vector, error) {
	vs, err := c.Embed(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	return vs[0], nil
}

var remoteFAQ = []Entry{
	{ID: "schedule", Questions: []string{"when do you stream", "什么时候开播"}, Answer: "Tue and Thu"},
	{ID: "specs", Questions: []string{"what are your pc specs", "电脑配置是什么"}, Answer: "A PC"},
}

func TestBuildWithEmbedder(t *testing.T) {
	tests := []struct {
		name      string
		emb       *charEmbedder
		text      string
		lang      string
		wantSrc   string // the top candidate's semantic source; "" for none
		remoteErr bool
	}{
		{"chinese gets the model's score", &charEmbedder{}, "几点开播", question.LangChinese, "chars", false},
		{"english gets the model's score", &charEmbedder{}, "when are you streaming", question.LangEnglish, "chars", false},
		{"down at build: english falls back to built-in", &charEmbedder{fail: true}, "when are you streaming", question.LangEnglish, "built-in", true},
		{"down at build: chinese has no semantic score", &charEmbedder{fail: true}, "几点开播", question.LangChinese, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := BuildWith(remoteFAQ, tt.emb)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if (ix.RemoteErr != nil) != tt.remoteErr {
				t.Errorf("RemoteErr = %v; want error %v", ix.RemoteErr, tt.remoteErr)
			}
			cs, err := ix.Candidates(tt.text, tt.lang, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) == 0 {
				t.Fatal("no candidates")
			}
			if got := cs[0].Features.SemanticSource; got != tt.wantSrc {
				t.Errorf("semantic source = %q; want %q", got, tt.wantSrc)
			}
			if cs[0].Entry.ID != "schedule" {
				t.Errorf("top = %s; want schedule", cs[0].Entry.ID)
			}
		})
	}
}

// A model that stops answering after the index is built costs a question
// its semantic score from the model, nothing else: English falls back to
// the built-in table.
func TestEmbedderDownAtQuestionTime(t *testing.T) {
	emb := &charEmbedder{}
	ix, err := BuildWith(remoteFAQ, emb)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	emb.fail = true
	cs, err := ix.Candidates("when are you streaming", question.LangEnglish, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 || cs[0].Features.SemanticSource != "built-in" {
		t.Fatalf("candidates = %+v; want the built-in score on top", cs)
	}
}

// An endpoint that hangs does not hold the answer stage past its timeout:
// the question is answered on the built-in score.
func TestHangingEndpointDoesNotBlockAnswers(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	emb := SemanticSection{Backend: "http", URL: srv.URL + "/v1", Model: "m", Timeout: 20 * time.Millisecond}.Embedder(t.TempDir())
	ix, err := BuildWith(remoteFAQ, emb)
	if err != nil {
		t.Fatal(err)
	}
	if ix.RemoteErr == nil {
		t.Error("RemoteErr = nil with a hanging endpoint")
	}
	r := NewResponder(ix, question.Detector{}, Settings{Embedder: emb, MinConfidence: map[string]float64{"en": 0.5}}, nil, nil)
	defer r.Close()
	d := r.Handle(context.Background(), chat.Message{ID: "1", Channel: "c", User: "u", Text: "when do you stream?"})
	if d.Action != chat.ActionAnswer || d.FAQ != "schedule" {
		t.Errorf("decision = %+v; want the schedule answer", d)
	}
}

func TestSemanticSectionCheck(t *testing.T) {
	tests := []struct {
		s    SemanticSection
		want []string
	}{
		{SemanticSection{Backend: "builtin", Timeout: time.Second}, nil},
		{SemanticSection{Backend: "http", URL: "http://localhost:11434/v1", Model: "nomic-embed-text", Timeout: time.Second}, nil},
		{SemanticSection{Backend: "http", Timeout: time.Second}, []string{
			"semantic.url: backend http needs the endpoint's url, such as http://localhost:11434/v1",
			"semantic.model: backend http needs the embedding model's name, such as nomic-embed-text",
		}},
		{SemanticSection{Backend: "http", URL: "localhost:11434", Model: "m"}, []string{
			`semantic.url: want an http(s) url such as http://localhost:11434/v1, got "localhost:11434"`,
		}},
		{SemanticSection{Backend: "openai", Timeout: -time.Second}, []string{
			`semantic.backend: unknown backend "openai" (want builtin or http)`,
			"semantic.timeout: must be a positive duration such as 500ms",
		}},
	}
	for _, tt := range tests {
		var got []string
		tt.s.check(func(field, msg string) { got = append(got, field+": "+msg) })
		if len(got) != len(tt.want) {
			t.Errorf("%+v: got %q; want %q", tt.s, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%+v: got %q; want %q", tt.s, got[i], tt.want[i])
			}
		}
	}
}
