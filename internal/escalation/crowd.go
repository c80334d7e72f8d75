package escalation

import "time"

// crowd notices an unanswered question that several viewers ask: each
// unanswered question joins the group of recent questions it is similar to,
// or starts one; a group that holds n distinct viewers within the window is
// worth a moderator's time. It is not safe for concurrent use; the desk
// guards it.
type crowd struct {
	n      int
	within time.Duration
	groups []*crowdGroup
}

type crowdGroup struct {
	terms   terms
	members []crowdMember
}

type crowdMember struct {
	asker Asker
	terms terms
}

// maxCrowdGroups bounds the memory a busy chat can take: past it, the
// group asked least recently is forgotten.
const maxCrowdGroups = 256

// add records a question and returns the askers of its group when the group
// just reached n distinct viewers; the group is then forgotten, since the
// ticket filed for it takes over.
func (c *crowd) add(a Asker, t terms) []Asker {
	if c.n < 2 || len(t) == 0 {
		return nil
	}
	c.expire(a.At)
	var g *crowdGroup
	for _, cand := range c.groups {
		if similar(cand.terms, t) {
			g = cand
			break
		}
		for _, m := range cand.members {
			if similar(m.terms, t) {
				g = cand
				break
			}
		}
		if g != nil {
			break
		}
	}
	if g == nil {
		if len(c.groups) >= maxCrowdGroups {
			c.groups = c.groups[1:]
		}
		g = &crowdGroup{terms: t}
		c.groups = append(c.groups, g)
	}
	for i, m := range g.members {
		if m.asker.User == a.User {
			// The same viewer asking again does not make a crowd; keep
			// their latest wording and message to answer under.
			g.members = append(g.members[:i], g.members[i+1:]...)
			break
		}
	}
	g.members = append(g.members, crowdMember{asker: a, terms: t})
	c.touch(g)
	if len(g.members) < c.n {
		return nil
	}
	out := make([]Asker, len(g.members))
	for i, m := range g.members {
		out[i] = m.asker
	}
	c.drop(g)
	return out
}

// expire forgets questions older than the window.
func (c *crowd) expire(now time.Time) {
	kept := c.groups[:0]
	for _, g := range c.groups {
		members := g.members[:0]
		for _, m := range g.members {
			if now.Sub(m.asker.At) < c.within {
				members = append(members, m)
			}
		}
		g.members = members
		if len(members) > 0 {
			kept = append(kept, g)
		}
	}
	clear(c.groups[len(kept):])
	c.groups = kept
}

// touch moves g to the end, the most recently asked.
func (c *crowd) touch(g *crowdGroup) {
	for i, x := range c.groups {
		if x == g {
			copy(c.groups[i:], c.groups[i+1:])
			c.groups[len(c.groups)-1] = g
			return
		}
	}
}

func (c *crowd) drop(g *crowdGroup) {
	for i, x := range c.groups {
		if x == g {
			c.groups = append(c.groups[:i], c.groups[i+1:]...)
			return
		}
	}
}
