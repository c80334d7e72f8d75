package embedding

import "math"

// Packed is a vector kept as one scale and a signed byte per component, a
// quarter of the memory of a Vector, for the many fixed vectors an index
// compares every question with: a 10,000-entry FAQ's 30,000 examples take
// 15 MB instead of 61. Each component is off by at most half a step (the
// largest component over 254), so a product with a unit vector moves by
// well under 0.001.
type Packed struct {
	scale float32
	q     []int8
}

// Pack packs v; a nil or empty v packs to the zero Packed, which has no
// vector.
func Pack(v Vector) Packed {
	if len(v) == 0 {
		return Packed{}
	}
	var peak float32
	for _, x := range v {
		peak = max(peak, float32(math.Abs(float64(x))))
	}
	p := Packed{q: make([]int8, len(v))}
	if peak == 0 {
		return p
	}
	p.scale = peak / 127
	inv := 1 / p.scale
	for i, x := range v {
		p.q[i] = int8(math.Round(float64(x * inv)))
	}
	return p
}

// Len is the vector's length; 0 when there is none.
func (p Packed) Len() int { return len(p.q) }

// Unpack returns the vector p stands for.
func (p Packed) Unpack() Vector {
	if p.q == nil {
		return nil
	}
	v := make(Vector, len(p.q))
	for i, x := range p.q {
		v[i] = float32(x) * p.scale
	}
	return v
}

// Dot is p's product with v; 0 when their lengths differ.
func (p Packed) Dot(v Vector) float64 {
	if len(p.q) == 0 || len(p.q) != len(v) {
		return 0
	}
	v = v[:len(p.q)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(p.q); i += 4 {
		x, y := p.q[i:i+4:i+4], v[i:i+4:i+4]
		s0 += float32(x[0]) * y[0]
		s1 += float32(x[1]) * y[1]
		s2 += float32(x[2]) * y[2]
		s3 += float32(x[3]) * y[3]
	}
	for ; i < len(p.q); i++ {
		s0 += float32(p.q[i]) * v[i]
	}
	return float64((s0+s1)+(s2+s3)) * float64(p.scale)
}

// RowDotPacked is token id's stored row, unscaled, dotted with p, as RowDot
// is with a Vector; 0 when p's length is not the table's. Both sides are
// bytes, so the sum is exact in integers.
func (t *Table) RowDotPacked(id int32, p Packed) float32 {
	if len(p.q) != t.dim || id < 0 || int(id) >= len(t.pieces) {
		return 0
	}
	row := t.rows[int(id)*t.dim : (int(id)+1)*t.dim]
	q := p.q[:len(row)]
	var s0, s1, s2, s3 int32
	i := 0
	for ; i+4 <= len(row); i += 4 {
		s0 += int32(row[i]) * int32(q[i])
		s1 += int32(row[i+1]) * int32(q[i+1])
		s2 += int32(row[i+2]) * int32(q[i+2])
		s3 += int32(row[i+3]) * int32(q[i+3])
	}
	for ; i < len(row); i++ {
		s0 += int32(row[i]) * int32(q[i])
	}
	return float32(s0+s1+s2+s3) * p.scale
}
