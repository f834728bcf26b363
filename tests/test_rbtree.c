/* Unit tests for sim/rbtree.c (check framework). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rbtree.h"

struct item {
	struct rb_node rb;
	int key;
};

/* ---- helpers ---------------------------------------------------------- */

static int key_of(const struct rb_node *n)
{
	return container_of(n, const struct item, rb)->key;
}

static int cmp_items(const struct rb_node *a, const struct rb_node *b)
{
	int ka = key_of(a), kb = key_of(b);

	return (ka > kb) - (ka < kb);
}

/* Fixed-seed xorshift64 so every run sees the same operation sequence. */
static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static uint32_t rng_next(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return (uint32_t)(x >> 32);
}

static uint32_t rng_below(uint32_t n)
{
	return rng_next() % n;
}

static struct item *new_items(int n)
{
	struct item *items = calloc((size_t)n, sizeof(*items));

	ck_assert_ptr_nonnull(items);
	for (int i = 0; i < n; i++)
		items[i].key = i;
	return items;
}

static void shuffle_ints(int *a, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)rng_below((uint32_t)i + 1);
		int t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
}

/* Caller-side descent, as kernel users write it; also tracks leftmost. */
static struct rb_node **find_link(struct rb_root *root, int key,
				  struct rb_node **parent, bool *leftmost)
{
	struct rb_node **link = &root->rb_node;

	*parent = NULL;
	*leftmost = true;
	while (*link) {
		int k = key_of(*link);

		if (key == k)
			return NULL;
		*parent = *link;
		if (key < k) {
			link = &(*link)->rb_left;
		} else {
			link = &(*link)->rb_right;
			*leftmost = false;
		}
	}
	return link;
}

static bool tree_insert(struct rb_root *root, struct item *it)
{
	struct rb_node *parent;
	bool leftmost;
	struct rb_node **link = find_link(root, it->key, &parent, &leftmost);

	if (!link)
		return false;
	rb_link_node(&it->rb, parent, link);
	rb_insert_color(&it->rb, root);
	return true;
}

static bool tree_insert_cached(struct rb_root_cached *root, struct item *it)
{
	struct rb_node *parent;
	bool leftmost;
	struct rb_node **link = find_link(&root->rb_root, it->key, &parent, &leftmost);

	if (!link)
		return false;
	rb_link_node(&it->rb, parent, link);
	rb_insert_color_cached(&it->rb, root, leftmost);
	return true;
}

static struct rb_node *tree_find(const struct rb_root *root, int key)
{
	struct rb_node *n = root->rb_node;

	while (n && key_of(n) != key)
		n = key < key_of(n) ? n->rb_left : n->rb_right;
	return n;
}

static int tree_count(const struct rb_root *root)
{
	int count = 0;

	for (struct rb_node *n = rb_first(root); n; n = rb_next(n))
		count++;
	return count;
}

static int tree_height(const struct rb_node *n)
{
	int l, r;

	if (!n)
		return 0;
	l = tree_height(n->rb_left);
	r = tree_height(n->rb_right);
	return 1 + (l > r ? l : r);
}

/* One assertion per call: keeps check's per-assertion overhead out of hot loops. */
static void assert_valid(const struct rb_root *root)
{
	const char *why = NULL;
	int rc = rb_check(root, cmp_items, &why);

	ck_assert_msg(rc == 0, "rb_check rejected a tree built by the API: %s",
		      why ? why : "(no reason)");
}

static void assert_height_bound(const struct rb_root *root, int n)
{
	int h = tree_height(root->rb_node);

	/* A red-black tree of height h holds at least 2^ceil(h/2) - 1 nodes. */
	ck_assert_msg(h < 62 && (1LL << ((h + 1) / 2)) - 1 <= n,
		      "height %d too large for %d nodes", h, n);
}

/* Returns the first key where the in-order walk and the bitmap disagree, or -1. */
static int inorder_mismatch(const struct rb_root *root, const bool *present, int nkeys)
{
	struct rb_node *n = rb_first(root);

	for (int k = 0; k < nkeys; k++) {
		if (!present[k])
			continue;
		if (!n || key_of(n) != k)
			return k;
		n = rb_next(n);
	}
	return n ? key_of(n) : -1;
}

static void expect_check_fails(const struct rb_root *root, const char *reason_word)
{
	const char *why = NULL;
	int rc = rb_check(root, cmp_items, &why);

	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, reason_word) != NULL,
		      "expected a reason mentioning \"%s\", got \"%s\"", reason_word, why);
}

static void expect_check_passes(const struct rb_root *root)
{
	const char *why = "unset";

	ck_assert_int_eq(rb_check(root, cmp_items, &why), 0);
	ck_assert_ptr_null(why);
}

/* Hand-built trees for the checker tests: links it to children l and r. */
static void set_node(struct item *it, int key, enum rb_colour c,
		     struct item *l, struct item *r)
{
	it->key = key;
	it->rb.rb_colour = c;
	it->rb.rb_parent = NULL;
	it->rb.rb_left = l ? &l->rb : NULL;
	it->rb.rb_right = r ? &r->rb : NULL;
	if (l)
		l->rb.rb_parent = &it->rb;
	if (r)
		r->rb.rb_parent = &it->rb;
}

/*
 * Valid 7-node tree used by the corruption tests:
 *            B40
 *          /     \
 *       R20       B60
 *      /   \     /
 *    B10   B30  R50
 *     /
 *   R5
 */
static struct rb_root build_sample(struct item *v)
{
	set_node(&v[6], 5, RB_RED, NULL, NULL);
	set_node(&v[0], 10, RB_BLACK, &v[6], NULL);
	set_node(&v[1], 30, RB_BLACK, NULL, NULL);
	set_node(&v[2], 50, RB_RED, NULL, NULL);
	set_node(&v[3], 20, RB_RED, &v[0], &v[1]);
	set_node(&v[4], 60, RB_BLACK, &v[2], NULL);
	set_node(&v[5], 40, RB_BLACK, &v[3], &v[4]);
	return (struct rb_root){ &v[5].rb };
}

/* Builds a valid tree of keys 0..n-1 inserted in a shuffled order. */
static struct item *build_random_tree(struct rb_root *root, int n, uint64_t seed)
{
	struct item *items = new_items(n);
	int *order = malloc((size_t)n * sizeof(*order));

	ck_assert_ptr_nonnull(order);
	for (int i = 0; i < n; i++)
		order[i] = i;
	rng_seed(seed);
	shuffle_ints(order, n);
	root->rb_node = NULL;
	for (int i = 0; i < n; i++)
		ck_assert(tree_insert(root, &items[order[i]]));
	free(order);
	assert_valid(root);
	return items;
}

/* ---- empty / tiny trees ----------------------------------------------- */

START_TEST(test_empty_tree_has_no_nodes_and_is_valid)
{
	struct rb_root root = { NULL };
	struct rb_root_cached croot = RB_ROOT_CACHED;
	const char *why = "unset";

	ck_assert_ptr_null(rb_first(&root));
	ck_assert_ptr_null(rb_last(&root));
	ck_assert_ptr_null(rb_first_cached(&croot));
	ck_assert_ptr_null(croot.rb_root.rb_node);
	ck_assert_int_eq(rb_check(&root, cmp_items, &why), 0);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(rb_check(&root, NULL, NULL), 0);
}
END_TEST

START_TEST(test_single_node_insert_and_erase)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct item it = { .key = 7 };

	ck_assert(tree_insert_cached(&root, &it));
	ck_assert_ptr_eq(root.rb_root.rb_node, &it.rb);
	ck_assert_int_eq(it.rb.rb_colour, RB_BLACK);
	ck_assert_ptr_null(it.rb.rb_parent);
	ck_assert_ptr_eq(rb_first(&root.rb_root), &it.rb);
	ck_assert_ptr_eq(rb_last(&root.rb_root), &it.rb);
	ck_assert_ptr_eq(rb_first_cached(&root), &it.rb);
	ck_assert_ptr_null(rb_next(&it.rb));
	ck_assert_ptr_null(rb_prev(&it.rb));
	expect_check_passes(&root.rb_root);

	rb_erase_cached(&it.rb, &root);
	ck_assert_ptr_null(root.rb_root.rb_node);
	ck_assert_ptr_null(rb_first_cached(&root));
	expect_check_passes(&root.rb_root);
}
END_TEST

START_TEST(test_duplicate_key_is_rejected_by_descent)
{
	struct rb_root root = { NULL };
	struct item a = { .key = 1 }, b = { .key = 1 };

	ck_assert(tree_insert(&root, &a));
	ck_assert(!tree_insert(&root, &b));
	ck_assert_int_eq(tree_count(&root), 1);
	expect_check_passes(&root);
}
END_TEST

/* ---- sequential insertion / erase ------------------------------------- */

#define SEQ_N 10000

START_TEST(test_ascending_insert_10000_then_erase_from_front)
{
	struct rb_root root = { NULL };
	struct item *items = new_items(SEQ_N);

	for (int i = 0; i < SEQ_N; i++) {
		ck_assert(tree_insert(&root, &items[i]));
		assert_valid(&root);
		ck_assert_ptr_eq(rb_last(&root), &items[i].rb);
	}
	ck_assert_int_eq(tree_count(&root), SEQ_N);
	ck_assert_ptr_eq(rb_first(&root), &items[0].rb);
	assert_height_bound(&root, SEQ_N);

	for (int i = 0; i < SEQ_N; i++) {
		ck_assert_ptr_eq(rb_first(&root), &items[i].rb);
		rb_erase(&items[i].rb, &root);
		assert_valid(&root);
	}
	ck_assert_ptr_null(root.rb_node);
	free(items);
}
END_TEST

START_TEST(test_descending_insert_10000_then_erase_from_back)
{
	struct rb_root root = { NULL };
	struct item *items = new_items(SEQ_N);

	for (int i = SEQ_N - 1; i >= 0; i--) {
		ck_assert(tree_insert(&root, &items[i]));
		assert_valid(&root);
		ck_assert_ptr_eq(rb_first(&root), &items[i].rb);
	}
	ck_assert_int_eq(tree_count(&root), SEQ_N);
	ck_assert_ptr_eq(rb_last(&root), &items[SEQ_N - 1].rb);
	assert_height_bound(&root, SEQ_N);

	for (int i = SEQ_N - 1; i >= 0; i--) {
		ck_assert_ptr_eq(rb_last(&root), &items[i].rb);
		rb_erase(&items[i].rb, &root);
		assert_valid(&root);
	}
	ck_assert_ptr_null(root.rb_node);
	free(items);
}
END_TEST

START_TEST(test_repeatedly_erasing_root_keeps_tree_valid)
{
	struct rb_root root = { NULL };
	struct item *items = build_random_tree(&root, 3000, 0x1234);
	int left = 3000;

	while (root.rb_node) {
		struct rb_node *victim = root.rb_node;
		struct rb_node *next = rb_next(victim), *prev = rb_prev(victim);

		rb_erase(victim, &root);
		left--;
		assert_valid(&root);
		/* The in-order neighbours of the erased node become adjacent. */
		if (prev)
			ck_assert_ptr_eq(rb_next(prev), next);
		if (next)
			ck_assert_ptr_eq(rb_prev(next), prev);
	}
	ck_assert_int_eq(left, 0);
	free(items);
}
END_TEST

/* ---- randomised operations against a reference bitmap ----------------- */

#define RAND_KEYS 4096
#define RAND_OPS 20000

START_TEST(test_random_insert_erase_20000_ops_match_reference)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct item *items = new_items(RAND_KEYS);
	bool present[RAND_KEYS] = { false };
	int size = 0;

	rng_seed(0xdeadbeefcafef00dull);
	for (int op = 0; op < RAND_OPS; op++) {
		/* First half leans towards inserts, second half towards erases. */
		int insert_pct = op < RAND_OPS / 2 ? 70 : 30;
		int k = (int)rng_below(RAND_KEYS);
		bool do_insert = (int)rng_below(100) < insert_pct;
		struct rb_node *found = tree_find(&root.rb_root, k);

		ck_assert_msg((found != NULL) == present[k], "op %d: lookup of %d disagrees", op, k);
		if (do_insert) {
			ck_assert_msg(tree_insert_cached(&root, &items[k]) == !present[k],
				      "op %d: insert of %d", op, k);
			size += !present[k];
			present[k] = true;
		} else if (found) {
			rb_erase_cached(found, &root);
			present[k] = false;
			size--;
		}
		assert_valid(&root.rb_root);
		ck_assert_msg(inorder_mismatch(&root.rb_root, present, RAND_KEYS) == -1,
			      "op %d: in-order walk differs from reference", op);
		ck_assert_msg(rb_first_cached(&root) == rb_first(&root.rb_root),
			      "op %d: cached leftmost is stale", op);
	}
	ck_assert_int_eq(tree_count(&root.rb_root), size);
	ck_assert_int_gt(size, 0);
	free(items);
}
END_TEST

/* ---- iteration --------------------------------------------------------- */

#define WALK_N 1000

START_TEST(test_rb_next_walk_visits_keys_in_ascending_order)
{
	struct rb_root root;
	struct item *items = build_random_tree(&root, WALK_N, 42);
	int expect = 0;

	ck_assert_ptr_eq(rb_first(&root), &items[0].rb);
	ck_assert_ptr_null(rb_prev(rb_first(&root)));
	for (struct rb_node *n = rb_first(&root); n; n = rb_next(n))
		ck_assert_int_eq(key_of(n), expect++);
	ck_assert_int_eq(expect, WALK_N);
	free(items);
}
END_TEST

START_TEST(test_rb_prev_walk_visits_keys_in_descending_order)
{
	struct rb_root root;
	struct item *items = build_random_tree(&root, WALK_N, 43);
	int expect = WALK_N - 1;

	ck_assert_ptr_eq(rb_last(&root), &items[WALK_N - 1].rb);
	ck_assert_ptr_null(rb_next(rb_last(&root)));
	for (struct rb_node *n = rb_last(&root); n; n = rb_prev(n))
		ck_assert_int_eq(key_of(n), expect--);
	ck_assert_int_eq(expect, -1);
	free(items);
}
END_TEST

START_TEST(test_rb_next_and_rb_prev_are_inverse)
{
	struct rb_root root;
	struct item *items = build_random_tree(&root, WALK_N, 44);

	for (int i = 0; i < WALK_N; i++) {
		struct rb_node *n = &items[i].rb;

		if (i + 1 < WALK_N)
			ck_assert_ptr_eq(rb_prev(rb_next(n)), n);
		if (i > 0)
			ck_assert_ptr_eq(rb_next(rb_prev(n)), n);
	}
	free(items);
}
END_TEST

/* ---- cached leftmost --------------------------------------------------- */

START_TEST(test_cached_leftmost_tracks_inserts_of_new_minimum)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct item *items = new_items(100);

	/* 50, 49, ... 0: each insert is a new minimum. */
	for (int i = 50; i >= 0; i--) {
		ck_assert(tree_insert_cached(&root, &items[i]));
		ck_assert_ptr_eq(rb_first_cached(&root), &items[i].rb);
	}
	/* Larger keys never displace the leftmost. */
	for (int i = 51; i < 100; i++) {
		ck_assert(tree_insert_cached(&root, &items[i]));
		ck_assert_ptr_eq(rb_first_cached(&root), &items[0].rb);
	}
	expect_check_passes(&root.rb_root);
	free(items);
}
END_TEST

START_TEST(test_cached_leftmost_survives_random_erases)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	const int n = 2000;
	struct item *items = new_items(n);
	int *order = malloc((size_t)n * sizeof(*order));

	ck_assert_ptr_nonnull(order);
	for (int i = 0; i < n; i++)
		order[i] = i;
	rng_seed(7);
	shuffle_ints(order, n);
	for (int i = 0; i < n; i++) {
		ck_assert(tree_insert_cached(&root, &items[order[i]]));
		ck_assert_ptr_eq(rb_first_cached(&root), rb_first(&root.rb_root));
	}
	/* Alternate erasing the leftmost and an arbitrary remaining node. */
	shuffle_ints(order, n);
	for (int i = 0, j = 0; root.rb_root.rb_node; i++) {
		struct rb_node *victim;

		if (i % 2 == 0) {
			victim = rb_first_cached(&root);
		} else {
			while (!tree_find(&root.rb_root, order[j]))
				j++;
			victim = &items[order[j]].rb;
		}
		rb_erase_cached(victim, &root);
		ck_assert_ptr_eq(rb_first_cached(&root), rb_first(&root.rb_root));
		assert_valid(&root.rb_root);
	}
	ck_assert_ptr_null(rb_first_cached(&root));
	free(order);
	free(items);
}
END_TEST

/* ---- the checker must be able to fail --------------------------------- */

START_TEST(test_check_accepts_handmade_valid_tree)
{
	struct item v[7];
	struct rb_root root = build_sample(v);

	expect_check_passes(&root);
}
END_TEST

START_TEST(test_check_detects_red_root)
{
	struct item v[7];
	struct rb_root root = build_sample(v);
	struct item single;

	v[5].rb.rb_colour = RB_RED;
	expect_check_fails(&root, "root");

	set_node(&single, 1, RB_RED, NULL, NULL);
	root.rb_node = &single.rb;
	expect_check_fails(&root, "root");
}
END_TEST

START_TEST(test_check_detects_red_node_with_red_child)
{
	struct item v[7];
	struct rb_root root = build_sample(v);
	struct item extra;

	/* Red 1 under red 5: black heights stay equal, only red-red is wrong. */
	set_node(&extra, 1, RB_RED, NULL, NULL);
	v[6].rb.rb_left = &extra.rb;
	extra.rb.rb_parent = &v[6].rb;
	expect_check_fails(&root, "red child");
}
END_TEST

START_TEST(test_check_detects_black_height_mismatch)
{
	struct item v[7];
	struct rb_root root = build_sample(v);

	/* Recolouring red 50 black adds a black node on one path only. */
	v[2].rb.rb_colour = RB_BLACK;
	expect_check_fails(&root, "black height");

	/* Black root with a single black child. */
	set_node(&v[0], 1, RB_BLACK, NULL, NULL);
	set_node(&v[1], 2, RB_BLACK, &v[0], NULL);
	root.rb_node = &v[1].rb;
	expect_check_fails(&root, "black height");
}
END_TEST

START_TEST(test_check_detects_bad_parent_link)
{
	struct item v[7];
	struct rb_root root = build_sample(v);

	v[1].rb.rb_parent = &v[5].rb; /* 30 claims the root as parent */
	expect_check_fails(&root, "parent");
	v[1].rb.rb_parent = &v[3].rb;
	expect_check_passes(&root);

	v[2].rb.rb_parent = NULL; /* 50 claims to be a root */
	expect_check_fails(&root, "parent");
	v[2].rb.rb_parent = &v[4].rb;

	v[5].rb.rb_parent = &v[3].rb; /* the root claims a parent */
	expect_check_fails(&root, "parent");
}
END_TEST

START_TEST(test_check_detects_out_of_order_keys)
{
	struct item v[7];
	struct rb_root root = build_sample(v);
	const char *why = NULL;

	v[0].key = 35; /* 10 -> 35 sits left of 20 */
	expect_check_fails(&root, "order");
	/* Without a comparator keys are not inspected. */
	ck_assert_int_eq(rb_check(&root, NULL, &why), 0);
	v[0].key = 10;

	v[2].key = 60; /* equal keys are not strictly increasing */
	expect_check_fails(&root, "order");
}
END_TEST

START_TEST(test_check_detects_invalid_colour)
{
	struct item v[7];
	struct rb_root root = build_sample(v);

	v[1].rb.rb_colour = (enum rb_colour)7;
	expect_check_fails(&root, "colour");
}
END_TEST

START_TEST(test_check_detects_node_shared_by_both_child_links)
{
	struct item v[7];
	struct rb_root root = build_sample(v);

	v[4].rb.rb_right = &v[2].rb; /* 60 has 50 as both children */
	ck_assert_int_eq(rb_check(&root, NULL, NULL), -1);
}
END_TEST

START_TEST(test_check_bounds_depth_of_overlong_chain)
{
	enum { CHAIN = 1000 };
	struct item *chain = new_items(CHAIN);
	struct rb_root root;

	/* Consistent links and keys, but far deeper than any valid tree. */
	set_node(&chain[0], 0, RB_BLACK, NULL, NULL);
	for (int i = 1; i < CHAIN; i++)
		set_node(&chain[i], i, RB_BLACK, &chain[i - 1], NULL);
	root.rb_node = &chain[CHAIN - 1].rb;
	expect_check_fails(&root, "deeper");
	free(chain);
}
END_TEST

START_TEST(test_check_detects_every_single_colour_flip)
{
	enum { N = 500 };
	struct rb_root root;
	struct item *items = build_random_tree(&root, N, 99);
	int rejected = 0;

	/* In a valid tree, flipping any one colour breaks an invariant. */
	for (int i = 0; i < N; i++) {
		enum rb_colour c = items[i].rb.rb_colour;

		items[i].rb.rb_colour = c == RB_RED ? RB_BLACK : RB_RED;
		rejected += rb_check(&root, cmp_items, NULL) == -1;
		items[i].rb.rb_colour = c;
	}
	ck_assert_int_eq(rejected, N);
	expect_check_passes(&root);
	free(items);
}
END_TEST

START_TEST(test_check_detects_every_single_bad_parent_pointer)
{
	enum { N = 500 };
	struct rb_root root;
	struct item *items = build_random_tree(&root, N, 100);
	int rejected = 0;

	for (int i = 0; i < N; i++) {
		struct rb_node *p = items[i].rb.rb_parent;

		items[i].rb.rb_parent = p ? p->rb_parent : &items[(i + 1) % N].rb;
		rejected += rb_check(&root, cmp_items, NULL) == -1;
		items[i].rb.rb_parent = p;
	}
	ck_assert_int_eq(rejected, N);
	expect_check_passes(&root);
	free(items);
}
END_TEST

START_TEST(test_check_detects_every_adjacent_key_swap)
{
	enum { N = 500 };
	struct rb_root root;
	struct item *items = build_random_tree(&root, N, 101);
	int rejected = 0;

	for (int i = 0; i + 1 < N; i++) {
		items[i].key = i + 1;
		items[i + 1].key = i;
		rejected += rb_check(&root, cmp_items, NULL) == -1;
		items[i].key = i;
		items[i + 1].key = i + 1;
	}
	ck_assert_int_eq(rejected, N - 1);
	expect_check_passes(&root);
	free(items);
}
END_TEST

/* ---- suite -------------------------------------------------------------- */

static Suite *rbtree_suite(void)
{
	Suite *s = suite_create("rbtree");
	TCase *tc;

	tc = tcase_create("basic");
	tcase_add_test(tc, test_empty_tree_has_no_nodes_and_is_valid);
	tcase_add_test(tc, test_single_node_insert_and_erase);
	tcase_add_test(tc, test_duplicate_key_is_rejected_by_descent);
	suite_add_tcase(s, tc);

	tc = tcase_create("sequential");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_ascending_insert_10000_then_erase_from_front);
	tcase_add_test(tc, test_descending_insert_10000_then_erase_from_back);
	tcase_add_test(tc, test_repeatedly_erasing_root_keeps_tree_valid);
	suite_add_tcase(s, tc);

	tc = tcase_create("random");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_random_insert_erase_20000_ops_match_reference);
	suite_add_tcase(s, tc);

	tc = tcase_create("iteration");
	tcase_add_test(tc, test_rb_next_walk_visits_keys_in_ascending_order);
	tcase_add_test(tc, test_rb_prev_walk_visits_keys_in_descending_order);
	tcase_add_test(tc, test_rb_next_and_rb_prev_are_inverse);
	suite_add_tcase(s, tc);

	tc = tcase_create("cached");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_cached_leftmost_tracks_inserts_of_new_minimum);
	tcase_add_test(tc, test_cached_leftmost_survives_random_erases);
	suite_add_tcase(s, tc);

	tc = tcase_create("checker");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_check_accepts_handmade_valid_tree);
	tcase_add_test(tc, test_check_detects_red_root);
	tcase_add_test(tc, test_check_detects_red_node_with_red_child);
	tcase_add_test(tc, test_check_detects_black_height_mismatch);
	tcase_add_test(tc, test_check_detects_bad_parent_link);
	tcase_add_test(tc, test_check_detects_out_of_order_keys);
	tcase_add_test(tc, test_check_detects_invalid_colour);
	tcase_add_test(tc, test_check_detects_node_shared_by_both_child_links);
	tcase_add_test(tc, test_check_bounds_depth_of_overlong_chain);
	tcase_add_test(tc, test_check_detects_every_single_colour_flip);
	tcase_add_test(tc, test_check_detects_every_single_bad_parent_pointer);
	tcase_add_test(tc, test_check_detects_every_adjacent_key_swap);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rbtree_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
