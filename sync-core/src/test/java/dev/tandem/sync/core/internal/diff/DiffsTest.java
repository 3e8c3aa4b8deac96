package dev.tandem.sync.core.internal.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenList;
import dev.tandem.sync.core.internal.json.FrozenMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The diff rules of tldraw 5.4.2, by the SPEC rule IDs its tests use: D1–D7 for {@code diffRecord}, AD1–AD7
 * for {@code applyObjectDiff}.
 */
class DiffsTest {
    private static final ValueOp DELETE = ValueOp.Delete.INSTANCE;

    @Nested
    class DiffRecord {

        @Test
        void diffRecord_D1_sameInstance_isNull() {
            FrozenMap record = obj("id", "shape:1", "x", 1);

            assertThat(diff(record, record)).isNull();
        }

        @Test
        void diffRecord_D1_deepEqualRecords_isNull() {
            FrozenMap prev = obj("id", "shape:1", "props", obj("richText", obj("content", list(obj("text", "hi")))));
            FrozenMap next = obj("id", "shape:1", "props", obj("richText", obj("content", list(obj("text", "hi")))));

            assertThat(diff(prev, next)).isNull();
        }

        @Test
        void diffRecord_D1_integralDoubleEqualsLong_isNull() {
            Map<String, Object> prev = new HashMap<>(Map.of("x", 1.0, "y", -0.0));
            Map<String, Object> next = new HashMap<>(Map.of("x", 1, "y", 0L));

            assertThat(Diffs.diffRecord(prev, next, false)).isNull();
        }

        @Test
        void diffRecord_D2_keyMissingFromNext_isDelete() {
            assertThat(diff(obj("id", "a", "gone", 1), obj("id", "a"))).isEqualTo(ops("gone", DELETE));
        }

        @Test
        void diffRecord_D2_keyNewInNext_isPut() {
            assertThat(diff(obj("id", "a"), obj("id", "a", "fresh", obj("k", 1))))
                    .isEqualTo(ops("fresh", put(obj("k", 1))));
        }

        @Test
        void diffRecord_D2_nullValuedKey_isPresent() {
            assertThat(diff(obj("a", null), obj())).isEqualTo(ops("a", DELETE));
            assertThat(diff(obj(), obj("a", null))).isEqualTo(ops("a", put(null)));
            assertThat(diff(obj("a", null), obj("a", null))).isNull();
            assertThat(diff(obj("a", null), obj("a", 0))).isEqualTo(ops("a", put(0)));
        }

        @Test
        void diffRecord_D2_keysNamedLikeJavaScriptBuiltins_areOrdinaryKeys() {
            assertThat(diff(obj("constructor", "x"), obj("toString", 1)))
                    .isEqualTo(ops("constructor", DELETE, "toString", put(1)));
        }

        /** tldraw 5.5 skips the key on both sides: its op could not be applied anyway (see AD8). */
        @Test
        void diffRecord_protoKey_isSkipped() {
            assertThat(diff(obj("__proto__", 1, "a", 1), obj("__proto__", 2, "a", 1)))
                    .isNull();
            assertThat(diff(obj("a", 1), obj("a", 1, "__proto__", obj("x", 1)))).isNull();
            assertThat(diff(obj("__proto__", 1), obj())).isNull();
            assertThat(diff(obj("props", obj("__proto__", 1, "k", 1)), obj("props", obj("k", 2))))
                    .isEqualTo(ops("props", patch("k", put(2))));
            assertThat(diff(obj("a", 1, "__proto__", 1), obj("__proto__", 1, "b", 2)))
                    .isEqualTo(ops("a", DELETE, "b", put(2)));
        }

        @Test
        void diffRecord_D2_opOrder_isPrevKeysThenNewKeys() {
            ObjectDiff diff = diff(obj("a", 1, "b", 2, "c", 3), obj("z", 0, "c", 4, "a", 1, "y", 0));

            assertThat(diff).isNotNull();
            assertThat(diff.ops().keySet()).containsExactly("b", "c", "z", "y");
        }

        @Test
        void diffRecord_D3_changedTopLevelPrimitives_arePut() {
            assertThat(diff(obj("x", 1, "y", 2, "isLocked", false), obj("x", 1.5, "y", 2, "isLocked", true)))
                    .isEqualTo(ops("x", put(1.5), "isLocked", put(true)));
        }

        @Test
        void diffRecord_D3_topLevelPlainObject_isWholePut() {
            FrozenMap next = obj("camera", obj("x", 1, "y", 5, "z", 1));

            assertThat(diff(obj("camera", obj("x", 1, "y", 2, "z", 1)), next))
                    .isEqualTo(ops("camera", put(next.get("camera"))));
        }

        @Test
        void diffRecord_D3_deepEqualTopLevelObject_isNull() {
            assertThat(diff(obj("camera", obj("x", 1)), obj("camera", obj("x", 1))))
                    .isNull();
        }

        @Test
        void diffRecord_D3_changeInsideProps_isPatch() {
            assertThat(diff(obj("props", obj("color", "red", "w", 10)), obj("props", obj("color", "blue", "w", 10))))
                    .isEqualTo(ops("props", patch("color", put("blue"))));
        }

        @Test
        void diffRecord_D3_changeInsideMeta_isPatch() {
            assertThat(diff(obj("meta", obj()), obj("meta", obj("tag", "x"))))
                    .isEqualTo(ops("meta", patch("tag", put("x"))));
        }

        @Test
        void diffRecord_D3_unchangedPropsAndMeta_haveNoOp() {
            assertThat(diff(
                            obj("props", obj("a", 1), "meta", obj(), "x", 1),
                            obj("props", obj("a", 1), "meta", obj(), "x", 2)))
                    .isEqualTo(ops("x", put(2)));
        }

        @Test
        void diffRecord_D3_topLevelTypeChange_isPut() {
            assertThat(diff(obj("a", "1", "b", list(1), "c", obj()), obj("a", 1, "b", obj(), "c", list())))
                    .isEqualTo(ops("a", put(1), "b", put(obj()), "c", put(list())));
        }

        @Test
        void diffRecord_D4_nestedObjectUnderPropsKey_isWholePut() {
            FrozenMap prevText = richText("Hello");
            FrozenMap nextText = richText("Hello world");

            assertThat(diff(
                            obj("props", obj("richText", prevText, "w", 1)),
                            obj("props", obj("richText", nextText, "w", 1))))
                    .isEqualTo(ops("props", patch("richText", put(nextText))));
        }

        @Test
        void diffRecord_D4_keyDeletedInsideProps_isDeleteInPatch() {
            assertThat(diff(obj("props", obj("color", "red", "size", "l")), obj("props", obj("color", "red"))))
                    .isEqualTo(ops("props", patch("size", DELETE)));
        }

        @Test
        void diffRecord_D4_propsHoldingNonObjects_followValueRules() {
            assertThat(diff(obj("props", "hello"), obj("props", "hello world")))
                    .isEqualTo(ops("props", append(" world", 5)));
            assertThat(diff(obj("props", 42), obj("props", 100))).isEqualTo(ops("props", put(100)));
            assertThat(diff(obj("props", null), obj("props", obj("a", 1)))).isEqualTo(ops("props", put(obj("a", 1))));
            assertThat(diff(obj("meta", obj("a", 1)), obj("meta", null))).isEqualTo(ops("meta", put(null)));
            assertThat(diff(obj("props", list(1)), obj("props", list(1, 2))))
                    .isEqualTo(ops("props", append(list(2), 1)));
        }

        @Test
        void diffRecord_D4_propsOrMetaKeyBelowTopLevel_isNotRecursed() {
            FrozenMap next = obj("props", obj("props", obj("a", 2)), "meta", obj("meta", obj("a", 2)));

            assertThat(diff(obj("props", obj("props", obj("a", 1)), "meta", obj("meta", obj("a", 1))), next))
                    .isEqualTo(ops(
                            "props", patch("props", put(obj("a", 2))),
                            "meta", patch("meta", put(obj("a", 2)))));
        }

        @Test
        void diffRecord_D4_objectInsideListElement_isPatched() {
            FrozenMap prev = obj("props", obj("segments", list(obj("type", "free", "points", list(point(0, 0))))));
            FrozenMap next =
                    obj("props", obj("segments", list(obj("type", "free", "points", list(point(0, 0), point(1, 2))))));

            assertThat(diff(prev, next))
                    .isEqualTo(ops(
                            "props", patch("segments", patch("0", patch("points", append(list(point(1, 2)), 1))))));
        }

        @Test
        void diffRecord_D4_objectKeyInsideListElement_isWholePut() {
            FrozenMap prev = obj("props", obj("items", list(obj("box", obj("w", 1, "h", 1)))));
            FrozenMap next = obj("props", obj("items", list(obj("box", obj("w", 2, "h", 1)))));

            assertThat(diff(prev, next))
                    .isEqualTo(ops("props", patch("items", patch("0", patch("box", put(obj("w", 2, "h", 1)))))));
        }

        @Test
        void diffRecord_D5_topLevelStringGrowth_isAppend() {
            assertThat(diff(obj("index", "a1"), obj("index", "a1V"))).isEqualTo(ops("index", append("V", 2)));
        }

        @Test
        void diffRecord_D5_appendFromEmptyString_hasOffsetZero() {
            assertThat(diff(obj("props", obj("text", "")), obj("props", obj("text", "hi"))))
                    .isEqualTo(ops("props", patch("text", append("hi", 0))));
        }

        @Test
        void diffRecord_D5_replacedOrShortenedString_isPut() {
            assertThat(diff(obj("name", "hello"), obj("name", "help"))).isEqualTo(ops("name", put("help")));
            assertThat(diff(obj("name", "hello"), obj("name", "hell"))).isEqualTo(ops("name", put("hell")));
            assertThat(diff(obj("name", "hello"), obj("name", ""))).isEqualTo(ops("name", put("")));
        }

        @Test
        void diffRecord_D5_appendOffset_countsUtf16CodeUnits() {
            assertThat(diff(obj("t", "😀"), obj("t", "😀a"))).isEqualTo(ops("t", append("a", 2)));
            assertThat(diff(obj("t", "a👍🏽"), obj("t", "a👍🏽\u2028é"))).isEqualTo(ops("t", append("\u2028é", 5)));
            assertThat(diff(obj("t", "x"), obj("t", "x𝄞"))).isEqualTo(ops("t", append("𝄞", 1)));
        }

        @Test
        void diffRecord_D5_prevEndingInHighSurrogate_appendsLowSurrogateLikeJavaScript() {
            assertThat(diff(obj("t", "a\ud83d"), obj("t", "a😀"))).isEqualTo(ops("t", append("\ude00", 2)));
        }

        @Test
        void diffRecord_D5_legacyMode_stringAppendsArePuts() {
            FrozenMap prev = obj("index", "a1", "props", obj("text", "he"));
            FrozenMap next = obj("index", "a1V", "props", obj("text", "hello"));

            assertThat(Diffs.diffRecord(prev, next, true))
                    .isEqualTo(ops("index", put("a1V"), "props", patch("text", put("hello"))));
        }

        @Test
        void diffRecord_D5_D7_legacyMode_listAppendsStayAppends() {
            assertThat(Diffs.diffRecord(obj("props", obj("l", list(1))), obj("props", obj("l", list(1, 2))), true))
                    .isEqualTo(ops("props", patch("l", append(list(2), 1))));
        }

        @Test
        void diffRecord_D6_sameLengthUnchangedList_isNull() {
            assertThat(diff(obj("l", list(obj("a", 1), 2)), obj("l", list(obj("a", 1), 2))))
                    .isNull();
        }

        @Test
        void diffRecord_D6_changesUpToThreshold_isIndexPatch() {
            FrozenList prev = list(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
            FrozenList next = list(1, 20, 3, 4, 5, 6, 7, 80, 9, 10);

            assertThat(diff(obj("arr", prev), obj("arr", next)))
                    .isEqualTo(ops("arr", patch("1", put(20), "7", put(80))));
        }

        @Test
        void diffRecord_D6_changesAboveThreshold_isWholePut() {
            FrozenList next = list(1, 20, 30, 40, 5, 6, 7, 8, 9, 10);

            assertThat(diff(obj("arr", list(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)), obj("arr", next)))
                    .isEqualTo(ops("arr", put(next)));
        }

        @Test
        void diffRecord_D6_shortList_allowsOneChangedIndex() {
            assertThat(diff(obj("l", list(1, 2, 3)), obj("l", list(1, 9, 3)))).isEqualTo(ops("l", patch("1", put(9))));
            assertThat(diff(obj("l", list(1, 2, 3)), obj("l", list(9, 9, 3)))).isEqualTo(ops("l", put(list(9, 9, 3))));
            assertThat(diff(obj("l", list(1)), obj("l", list(2)))).isEqualTo(ops("l", patch("0", put(2))));
        }

        @Test
        void diffRecord_D6_thresholdIsFractional() {
            // length 7: max(7 / 5, 1) = 1.4, so two changes are a put
            assertThat(diff(obj("l", list(1, 2, 3, 4, 5, 6, 7)), obj("l", list(0, 2, 3, 4, 5, 6, 0))))
                    .isEqualTo(ops("l", put(list(0, 2, 3, 4, 5, 6, 0))));
            // length 14: max(14 / 5, 1) = 2.8, so two changes are a patch
            FrozenList prev = list(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
            FrozenList next = list(0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0);
            assertThat(diff(obj("l", prev), obj("l", next))).isEqualTo(ops("l", patch("0", put(0), "13", put(0))));
        }

        @Test
        void diffRecord_D6_longList_patchesUpToOneFifth() {
            List<Object> prev = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                prev.add(i + 1);
            }
            List<Object> tenChanged = new ArrayList<>(prev);
            LinkedHashMap<String, ValueOp> expected = new LinkedHashMap<>();
            for (int i = 0; i < 50; i += 5) {
                tenChanged.set(i, -i);
                expected.put(Integer.toString(i), put(-i));
            }
            List<Object> elevenChanged = new ArrayList<>(tenChanged);
            elevenChanged.set(49, 0);

            assertThat(diff(obj("l", prev), obj("l", tenChanged)))
                    .isEqualTo(ops("l", new ValueOp.Patch(new ObjectDiff(expected))));
            assertThat(diff(obj("l", prev), obj("l", elevenChanged))).isEqualTo(ops("l", put(elevenChanged)));
        }

        @Test
        void diffRecord_D6_falsyItems_arePut() {
            // 25 elements allow 5 patched indices
            List<Object> tail = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
            FrozenList prev = concat(list(obj("a", 1), 0, "", false, null), tail);
            FrozenList next = concat(list(null, obj("a", 1), "x", list(), 0), tail);

            assertThat(diff(obj("l", prev), obj("l", next)))
                    .isEqualTo(ops(
                            "l",
                            patch(
                                    "0",
                                    put(null),
                                    "1",
                                    put(obj("a", 1)),
                                    "2",
                                    put("x"),
                                    "3",
                                    put(list()),
                                    "4",
                                    put(0))));
        }

        @Test
        void diffRecord_D6_objectItems_areRecursivelyDiffed() {
            FrozenList prev = list(obj("id", "a", "x", 1), obj("id", "b", "x", 1));
            FrozenList next = list(obj("id", "a", "x", 1), obj("id", "b", "x", 2, "y", 0));

            assertThat(diff(obj("l", prev), obj("l", next)))
                    .isEqualTo(ops("l", patch("1", patch("x", put(2), "y", put(0)))));
        }

        @Test
        void diffRecord_D6_D7_nestedListItems_areRecursivelyDiffed() {
            assertThat(diff(
                            obj("arr", list(list(1, 2, 3), list(4, 5, 6))),
                            obj("arr", list(list(1, 2, 3), list(4, 5, 6, 7)))))
                    .isEqualTo(ops("arr", patch("1", append(list(7), 3))));
        }

        @Test
        void diffRecord_D6_emptyObjectItem_isTruthyAndPatched() {
            assertThat(diff(obj("l", list(obj())), obj("l", list(obj("a", 1)))))
                    .isEqualTo(ops("l", patch("0", patch("a", put(1)))));
        }

        @Test
        void diffRecord_D6_stringItems_arePutNotAppended() {
            assertThat(diff(obj("l", list("ab")), obj("l", list("abc")))).isEqualTo(ops("l", patch("0", put("abc"))));
        }

        @Test
        void diffRecord_D6_listAndObjectItems_arePut() {
            assertThat(diff(obj("l", list(list(1, 2))), obj("l", list(obj("a", 1)))))
                    .isEqualTo(ops("l", patch("0", put(obj("a", 1)))));
            assertThat(diff(obj("props", list(1)), obj("props", obj("0", 1))))
                    .isEqualTo(ops("props", put(obj("0", 1))));
        }

        @Test
        void diffRecord_D7_grownWithSamePrefix_isAppendAtOldLength() {
            assertThat(diff(obj("l", list(1, 2)), obj("l", list(1, 2, 3, obj()))))
                    .isEqualTo(ops("l", append(list(3, obj()), 2)));
        }

        @Test
        void diffRecord_D7_grownFromEmpty_isAppendAtZero() {
            assertThat(diff(obj("l", list()), obj("l", list(1)))).isEqualTo(ops("l", append(list(1), 0)));
        }

        @Test
        void diffRecord_D7_truncation_isWholePut() {
            assertThat(diff(obj("l", list(1, 2, 3)), obj("l", list(1, 2)))).isEqualTo(ops("l", put(list(1, 2))));
            assertThat(diff(obj("l", list(1)), obj("l", list()))).isEqualTo(ops("l", put(list())));
        }

        @Test
        void diffRecord_D7_prefixChangedWhileGrowing_isWholePut() {
            assertThat(diff(obj("l", list(1, 2)), obj("l", list(1, 3, 4)))).isEqualTo(ops("l", put(list(1, 3, 4))));
        }

        @Test
        void diffRecord_tldrawShapeUpdate_combinesRules() {
            FrozenMap prev = obj(
                    "id",
                    "shape:1",
                    "typeName",
                    "shape",
                    "x",
                    10,
                    "y",
                    20,
                    "index",
                    "a1",
                    "parentId",
                    "page:page",
                    "props",
                    obj("w", 100, "color", "black", "richText", richText("Hi")),
                    "meta",
                    obj());
            FrozenMap next = obj(
                    "id",
                    "shape:1",
                    "typeName",
                    "shape",
                    "x",
                    15,
                    "y",
                    20,
                    "index",
                    "a1V",
                    "parentId",
                    "page:page",
                    "props",
                    obj("w", 100, "color", "red", "richText", richText("Hi!")),
                    "meta",
                    obj("by", "me"));

            assertThat(diff(prev, next))
                    .isEqualTo(ops(
                            "x", put(15),
                            "index", append("V", 2),
                            "props", patch("color", put("red"), "richText", put(richText("Hi!"))),
                            "meta", patch("by", put("me"))));
        }

        @Test
        void diffRecord_unfrozenInput_givesFrozenPutValues() {
            Map<String, Object> next = new LinkedHashMap<>();
            next.put("camera", new ArrayList<>(List.of(1, 2.0)));
            ObjectDiff diff = Diffs.diffRecord(new LinkedHashMap<>(), next, false);

            assertThat(diff).isEqualTo(ops("camera", put(list(1, 2))));
            assertThat(((ValueOp.Put) diff.ops().get("camera")).value()).isInstanceOf(FrozenList.class);
        }

        @Test
        void diffRecord_nullRecord_throwsNamingIt() {
            assertThatThrownBy(() -> Diffs.diffRecord(null, obj(), false))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("prev");
            assertThatThrownBy(() -> Diffs.diffRecord(obj(), null, false))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("next");
        }
    }

    @Nested
    class ApplyObjectDiff {

        @Test
        void apply_AD1_change_returnsCopyAndLeavesInputAlone() {
            FrozenMap input = obj("x", 1, "props", obj("color", "red"));

            Object result = apply(input, ops("x", put(2), "props", patch("color", put("blue"))));

            assertThat(result)
                    .isEqualTo(obj("x", 2, "props", obj("color", "blue")))
                    .isNotSameAs(input);
            assertThat(input).isEqualTo(obj("x", 1, "props", obj("color", "red")));
        }

        @Test
        void apply_AD1_unfrozenInput_isNeverMutated() {
            Map<String, Object> props = new LinkedHashMap<>(Map.of("text", "a"));
            Map<String, Object> input = new LinkedHashMap<>(Map.of("props", props, "l", new ArrayList<>(List.of(1))));

            Object result = apply(input, ops("props", patch("text", append("b", 1)), "l", append(list(2), 1)));

            assertThat(result)
                    .isEqualTo(obj("props", obj("text", "ab"), "l", list(1, 2)))
                    .isInstanceOf(FrozenMap.class);
            assertThat(input).isEqualTo(Map.of("props", Map.of("text", "a"), "l", List.of(1)));
        }

        @Test
        void apply_AD1_noEffectiveOp_returnsSameInstance() {
            FrozenMap input = obj("x", 1, "t", "ab", "l", list(1), "props", obj("a", 1));

            ObjectDiff ineffective = ops(
                    "x", put(1),
                    "t", append("c", 5),
                    "l", append(list(2), 0),
                    "props", patch("a", put(1), "gone", DELETE),
                    "missing", DELETE,
                    "nothing", patch("a", put(1)));

            assertThat(apply(input, ineffective)).isSameAs(input);
        }

        @Test
        void apply_AD1_emptyDiff_returnsSameInstance() {
            FrozenMap record = obj("a", 1);
            Map<String, Object> unfrozen = new HashMap<>(Map.of("a", 1));

            assertThat(apply(record, ops())).isSameAs(record);
            assertThat(apply(unfrozen, ops())).isSameAs(unfrozen);
            assertThat(apply(list(1), ops())).isEqualTo(list(1));
        }

        @Test
        void apply_AD1_emptyAppend_changesNothing() {
            FrozenMap input = obj("t", "ab", "l", list(1));

            assertThat(apply(input, ops("t", append("", 2), "l", append(list(), 1))))
                    .isSameAs(input);
        }

        @Test
        void apply_AD1_unchangedChildren_keepIdentity() {
            FrozenMap props = obj("richText", richText("x"), "w", 1);
            FrozenList points = list(point(0, 0), point(1, 1));
            FrozenMap input = obj("props", props, "points", points, "x", 1);

            FrozenMap result = (FrozenMap) apply(
                    input, ops("x", put(2), "props", patch("w", put(2)), "points", patch("1", patch("x", put(5)))));

            FrozenMap resultProps = (FrozenMap) result.get("props");
            FrozenList resultPoints = (FrozenList) result.get("points");
            assertThat(resultProps.get("richText")).isSameAs(props.get("richText"));
            assertThat(resultPoints.get(0)).isSameAs(points.get(0));
            assertThat(resultPoints.get(1)).isEqualTo(point(5, 1));
        }

        @Test
        void apply_AD2_put_setsChangedValueAndAddsKey() {
            assertThat(apply(obj("x", 1), ops("x", put(2), "y", put(obj("a", list())))))
                    .isEqualTo(obj("x", 2, "y", obj("a", list())));
        }

        @Test
        void apply_AD2_putOfDeepEqualValue_isSkipped() {
            FrozenMap input = obj("camera", obj("x", 1, "y", list(1, 2)));

            assertThat(apply(input, ops("camera", put(obj("x", 1.0, "y", list(1, 2))))))
                    .isSameAs(input);
        }

        @Test
        void apply_AD2_putNullOnMissingKey_addsKey() {
            assertThat(apply(obj(), ops("a", put(null)))).isEqualTo(obj("a", null));
            FrozenMap present = obj("a", null);
            assertThat(apply(present, ops("a", put(null)))).isSameAs(present);
        }

        @Test
        void apply_AD3_stringAppendAtMatchingOffset_concatenates() {
            assertThat(apply(obj("t", "hello"), ops("t", append(" world", 5)))).isEqualTo(obj("t", "hello world"));
            assertThat(apply(obj("t", ""), ops("t", append("x", 0)))).isEqualTo(obj("t", "x"));
        }

        @Test
        void apply_AD3_listAppendAtMatchingOffset_concatenates() {
            assertThat(apply(obj("l", list(1)), ops("l", append(list(obj("a", 1), 3), 1))))
                    .isEqualTo(obj("l", list(1, obj("a", 1), 3)));
        }

        @Test
        void apply_AD3_offsetInUtf16CodeUnits_countsEmojiAsTwo() {
            FrozenMap input = obj("t", "😀");

            assertThat(apply(input, ops("t", append("!", 2)))).isEqualTo(obj("t", "😀!"));
            assertThat(apply(input, ops("t", append("!", 1)))).isSameAs(input);
        }

        @Test
        void apply_AD3_mismatchedOffset_isIgnored() {
            FrozenMap input = obj("t", "abc", "l", list(1, 2));

            assertThat(apply(input, ops("t", append("d", 2), "l", append(list(3), 3))))
                    .isSameAs(input);
            assertThat(apply(input, ops("t", append("d", 4), "l", append(list(3), 1))))
                    .isSameAs(input);
        }

        @Test
        void apply_AD3_mismatchedType_isIgnored() {
            FrozenMap input = obj("t", "abc", "l", list(1, 2), "n", 3, "z", null);

            ObjectDiff mismatched = ops(
                    "t", append(list(1), 3),
                    "l", append("x", 2),
                    "n", append("x", 3),
                    "z", append("x", 0),
                    "missing", append("x", 0));

            assertThat(apply(input, mismatched)).isSameAs(input);
        }

        @Test
        void apply_AD3_severalAppendsInOneDiff_allApply() {
            assertThat(apply(
                            obj("a", "x", "b", list(), "c", "y"),
                            ops("a", append("1", 1), "b", append(list(2), 0), "c", append("3", 1))))
                    .isEqualTo(obj("a", "x1", "b", list(2), "c", "y3"));
        }

        @Test
        void apply_AD4_nestedPatch_recurses() {
            assertThat(apply(
                            obj("props", obj("geo", obj("w", 1, "h", 2))),
                            ops("props", patch("geo", patch("w", put(5))))))
                    .isEqualTo(obj("props", obj("geo", obj("w", 5, "h", 2))));
        }

        @Test
        void apply_AD4_deeplyNestedPatch_recursesThroughListsAndObjects() {
            FrozenMap input = obj("a", obj("b", list(obj("c", list(1, obj("d", "x"))))));

            Object result =
                    apply(input, ops("a", patch("b", patch("0", patch("c", patch("1", patch("d", append("y", 1))))))));

            assertThat(result).isEqualTo(obj("a", obj("b", list(obj("c", list(1, obj("d", "xy")))))));
        }

        @Test
        void apply_AD4_patchOnMissingKey_isIgnored() {
            FrozenMap input = obj("a", 1);

            assertThat(apply(input, ops("b", patch("x", put(1))))).isSameAs(input);
        }

        @Test
        void apply_AD4_patchOnNullOrPrimitive_isIgnored() {
            FrozenMap input = obj("n", null, "s", "str", "i", 1, "f", false);

            ObjectDiff diff = ops(
                    "n",
                    patch("x", put(1)),
                    "s",
                    patch("0", put("x")),
                    "i",
                    patch("x", put(1)),
                    "f",
                    patch("x", put(1)));

            assertThat(apply(input, diff)).isSameAs(input);
        }

        @Test
        void apply_AD4_patchOnEmptyObject_applies() {
            assertThat(apply(obj("o", obj()), ops("o", patch("a", put(1))))).isEqualTo(obj("o", obj("a", 1)));
        }

        @Test
        void apply_AD5_delete_removesKey() {
            assertThat(apply(obj("a", 1, "b", 2), ops("a", DELETE))).isEqualTo(obj("b", 2));
            assertThat(apply(obj("a", null), ops("a", DELETE))).isEqualTo(obj());
        }

        @Test
        void apply_AD5_deleteOfMissingKey_returnsSameInstance() {
            FrozenMap input = obj("a", 1);

            assertThat(apply(input, ops("b", DELETE))).isSameAs(input);
        }

        @Test
        void apply_AD6_nullOrPrimitiveInput_isReturnedUnchanged() {
            ObjectDiff diff = ops("a", put(1));

            assertThat(Diffs.applyObjectDiff(null, diff)).isNull();
            assertThat(Diffs.applyObjectDiff("str", diff)).isEqualTo("str");
            assertThat(Diffs.applyObjectDiff(5L, diff)).isEqualTo(5L);
            assertThat(Diffs.applyObjectDiff(true, diff)).isEqualTo(true);
        }

        @Test
        void apply_AD7_listStaysListAndIndexKeysAddressElements() {
            FrozenList list = list(obj("a", 1), obj("b", 2), obj("c", 3));

            Object result = apply(obj("arr", list), ops("arr", patch("1", patch("b", put(20)))));

            assertThat(((FrozenMap) result).get("arr"))
                    .isInstanceOf(FrozenList.class)
                    .isEqualTo(list(obj("a", 1), obj("b", 20), obj("c", 3)))
                    .isNotSameAs(list);
        }

        @Test
        void apply_AD7_putIntoListIndex_replacesElement() {
            assertThat(apply(list(1, 2, 3), ops("1", put(9)))).isEqualTo(list(1, 9, 3));
            FrozenList same = list(1, 2, 3);
            assertThat(apply(same, ops("1", put(2)))).isSameAs(same);
        }

        @Test
        void apply_AD7_appendAndPatchOnListElements_apply() {
            assertThat(apply(list("ab", list(1)), ops("0", append("c", 2), "1", append(list(2), 1))))
                    .isEqualTo(list("abc", list(1, 2)));
        }

        @Test
        void apply_AD7_putJustPastTheEnd_extendsList() {
            assertThat(apply(list(1, 2), ops("2", put(3)))).isEqualTo(list(1, 2, 3));
            assertThat(apply(list(1, 2), ops("3", put(4), "2", put(3)))).isEqualTo(list(1, 2, 3, 4));
        }

        @Test
        void apply_AD7_sparseIndex_isIgnored() {
            FrozenList input = list(1, 2);

            assertThat(apply(input, ops("5", put(3), "999999999", put(1)))).isSameAs(input);
        }

        @Test
        void apply_AD7_nonCanonicalIndexKeys_areIgnored() {
            FrozenList input = list(1, 2);

            ObjectDiff diff = ops(
                    "01", put(9), "-1", put(9), "1.0", put(9), "a", put(9), "", put(9), "length", put(0), " 1", put(9));

            assertThat(apply(input, diff)).isSameAs(input);
        }

        @Test
        void apply_AD7_deleteOfListElement_setsNull() {
            assertThat(apply(list(1, 2, 3), ops("1", DELETE))).isEqualTo(list(1, null, 3));
            FrozenList withNull = list(1, null);
            assertThat(apply(withNull, ops("1", DELETE, "2", DELETE))).isSameAs(withNull);
        }

        @Test
        void apply_protoKey_isIgnored() {
            FrozenMap input = obj("a", 1);

            assertThat(apply(input, ops("__proto__", put(obj("polluted", true)))))
                    .isSameAs(input);
            assertThat(apply(obj("__proto__", 1), ops("__proto__", DELETE))).isEqualTo(obj("__proto__", 1));
        }

        @Test
        void apply_unfrozenPutAndAppendValues_areFrozen() {
            Map<String, Object> value = new HashMap<>(Map.of("k", 1));
            ObjectDiff diff = ObjectDiff.of(Map.of(
                    "a", new ValueOp.Put(value),
                    "l", new ValueOp.Append(new ArrayList<>(List.of(Map.of("x", 2.0))), 0)));

            FrozenMap result = (FrozenMap) apply(obj("l", list()), diff);

            assertThat(result.get("a")).isInstanceOf(FrozenMap.class).isEqualTo(obj("k", 1));
            assertThat(result.get("l")).isInstanceOf(FrozenList.class).isEqualTo(list(obj("x", 2)));
        }

        @Test
        void apply_nullDiff_throws() {
            assertThatThrownBy(() -> Diffs.applyObjectDiff(obj(), null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("diff");
        }
    }

    @Test
    void arrayIndex_canonicalDecimal_parsesElseMinusOne() {
        assertThat(Diffs.arrayIndex("0")).isZero();
        assertThat(Diffs.arrayIndex("17")).isEqualTo(17);
        assertThat(Diffs.arrayIndex("999999999")).isEqualTo(999_999_999);
        assertThat(List.of("", "00", "01", "-0", "+1", "1e2", "1.5", "x", "1234567890", "١"))
                .allSatisfy(key -> assertThat(Diffs.arrayIndex(key)).as(key).isEqualTo(-1));
    }

    private static @Nullable ObjectDiff diff(Map<String, Object> prev, Map<String, Object> next) {
        return Diffs.diffRecord(prev, next, false);
    }

    private static @Nullable Object apply(Object value, ObjectDiff diff) {
        return Diffs.applyObjectDiff(value, diff);
    }

    static FrozenMap obj(@Nullable Object... keysAndValues) {
        LinkedHashMap<String, @Nullable Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], Frozen.freeze(keysAndValues[i + 1]));
        }
        return Frozen.adoptMap(map);
    }

    static FrozenList list(@Nullable Object... items) {
        ArrayList<@Nullable Object> list = new ArrayList<>();
        for (Object item : items) {
            list.add(Frozen.freeze(item));
        }
        return Frozen.adoptList(list);
    }

    private static FrozenList concat(FrozenList head, List<Object> tail) {
        ArrayList<@Nullable Object> list = head.mutableCopy();
        list.addAll(list(tail.toArray()));
        return Frozen.adoptList(list);
    }

    static ObjectDiff ops(Object... keysAndOps) {
        LinkedHashMap<String, ValueOp> ops = new LinkedHashMap<>();
        for (int i = 0; i < keysAndOps.length; i += 2) {
            ops.put((String) keysAndOps[i], (ValueOp) keysAndOps[i + 1]);
        }
        return new ObjectDiff(ops);
    }

    static ValueOp put(@Nullable Object value) {
        return new ValueOp.Put(Frozen.freeze(value));
    }

    static ValueOp append(Object value, int offset) {
        return new ValueOp.Append(Frozen.freeze(value), offset);
    }

    static ValueOp patch(Object... keysAndOps) {
        return new ValueOp.Patch(ops(keysAndOps));
    }

    private static FrozenMap point(long x, long y) {
        return obj("x", x, "y", y);
    }

    private static FrozenMap richText(String text) {
        return obj(
                "type",
                "doc",
                "content",
                list(obj("type", "paragraph", "content", list(obj("type", "text", "text", text)))));
    }
}
