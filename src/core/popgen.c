/* popgen.c - generated people and departmental lists (see popgen.h). The
 * character lists are common surname and given-name characters; the
 * names they make are generated, not those of real people. */
#include "core/popgen.h"

#include "core/idcard.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static uint64_t next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double unif(uint64_t *s)
{
    return (double)(next(s) >> 11) / 9007199254740992.0;
}

static int pick(uint64_t *s, int n)
{
    return (int)(next(s) % (uint64_t)n);
}

static const char *const han_surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄",
                                           "周", "吴", "徐", "孙", "朱", "胡", "郭", "何",
                                           "高", "罗", "郑", "梁", "谢", "宋", "唐", "韩"};
static const char *const hui_surnames[] = {"马", "丁", "白", "杨", "沙", "哈", "穆", "冶",
                                           "韩", "喇", "妥", "海", "锁", "纳", "米", "撒"};
static const char *const given[] = {
    "明", "华", "建", "国", "文", "志", "秀", "英", "玉", "兰", "军", "平", "海", "金",
    "永", "春", "德", "福", "芳", "丽", "强", "伟", "红", "霞", "军", "忠", "成", "学",
    "生", "花", "梅", "云", "莲", "正", "清", "贵", "有", "喜", "林", "保", "龙", "宝"};
/* Given names of Muslim and Tibetan tradition as written in Linxia. */
static const char *const hui_given[] = {"尕", "买", "穆", "哈", "麦", "乃", "撒", "伊",
                                        "阿", "尔", "斯", "力", "布", "海", "努", "者"};
static const char *const tibetan_names[] = {"扎西", "卓玛", "才让", "旦增", "措姆", "尕藏",
                                            "拉姆", "多杰", "次仁", "索南", "才旦", "卓玛草",
                                            "扎西才让", "尕藏措", "玛吉", "旦正"};

static void make_name(uint64_t *rng, int ethnic, char *out, size_t outsz)
{
    if (ethnic == 4) { /* 藏族: no surname */
        snprintf(out, outsz, "%s%s", tibetan_names[pick(rng, 16)],
                 unif(rng) < 0.5 ? tibetan_names[pick(rng, 16)] : "");
        return;
    }
    const char *sur = ethnic == 1 ? han_surnames[pick(rng, 24)] : hui_surnames[pick(rng, 16)];
    const char *g1 = ethnic == 1 || unif(rng) < 0.5 ? given[pick(rng, 42)] : hui_given[pick(rng, 16)];
    const char *g2 = unif(rng) < 0.75 ? given[pick(rng, 42)] : "";
    snprintf(out, outsz, "%s%s%s", sur, g1, g2);
}

static int minority_group(uint64_t *rng)
{
    /* Linxia's minorities: Hui, Dongxiang, Salar, Bonan, Tibetan. */
    double u = unif(rng);
    return u < 0.62 ? 3 : u < 0.88 ? 26 : u < 0.93 ? 35 : u < 0.96 ? 47 : 4;
}

struct gen {
    const struct xt_popgen_census *c;
    uint64_t rng;
    int today;
    unsigned short seq[2][80000]; /* per sex and day since 1900: next sequence */
};

static int day_index(int y, int m, int d)
{
    return (y - 1900) * 372 + (m - 1) * 31 + (d - 1);
}

static void birth_for_age(struct gen *g, int age, int *y, int *m, int *d)
{
    int ty = g->today / 10000;
    do {
        *y = ty - age - (unif(&g->rng) < 0.5 ? 1 : 0);
        *m = 1 + pick(&g->rng, 12);
        *d = 1 + pick(&g->rng, 28);
    } while (*y * 10000 + *m * 100 + *d > g->today || *y < 1900);
}

static int draw_age(struct gen *g, int lo_band)
{
    double u = unif(&g->rng);
    int band = lo_band >= 0 ? lo_band : u < g->c->age0_14 ? 0 : u < 1 - g->c->age65 ? 1 : 2;
    if (band == 0)
        return pick(&g->rng, 15);
    if (band == 1)
        return 15 + pick(&g->rng, 50);
    return 65 + (int)(unif(&g->rng) * unif(&g->rng) * 35);
}

static int fill_person(struct gen *g, struct xt_gen_person *p, int age, int sex, int ethnic)
{
    int y, m, d;
    birth_for_age(g, age, &y, &m, &d);
    int di = day_index(y, m, d);
    if (di < 0 || di >= 80000)
        return XT_EINVAL;
    unsigned short *sq = &g->seq[sex == XT_SEX_MALE][di];
    if (*sq >= 500)
        return XT_EINVAL;
    int seq = 2 * (*sq)++ + (sex == XT_SEX_MALE ? 1 : 0);
    if (xt_idcard_make(g->c->region, y, m, d, seq, p->id_number))
        return XT_EINVAL;
    snprintf(p->birth, sizeof(p->birth), "%04d-%02d-%02d", y, m, d);
    p->sex = sex;
    p->ethnic = ethnic;
    make_name(&g->rng, ethnic, p->name, sizeof(p->name));
    if (age >= 16 && unif(&g->rng) < 0.85) {
        static const char *const pre[] = {"139", "138", "136", "151", "181", "189", "177",
                                          "133", "150", "187"};
        snprintf(p->phone, sizeof(p->phone), "%s%08llu", pre[pick(&g->rng, 10)],
                 (unsigned long long)(next(&g->rng) % 100000000ull));
    } else {
        p->phone[0] = '\0';
    }
    return 0;
}

static void add_tag(struct xt_gen_person *p, const char *t)
{
    size_t n = strlen(p->tags);
    snprintf(p->tags + n, sizeof(p->tags) - n, "%s%s", n ? ";" : "", t);
}

int xt_popgen_run(const struct xt_popgen_census *c, const struct xt_popgen_grid *grids,
                  int ngrids, long n, uint64_t seed, int today,
                  int (*fn)(void *ctx, const struct xt_gen_person *p), void *ctx)
{
    if (!c || !grids || ngrids <= 0 || n < 0 || strlen(c->region) != 6 ||
        strspn(c->region, "0123456789") != 6 || today < 19000101)
        return XT_EINVAL;
    static _Thread_local struct gen g;
    memset(&g, 0, sizeof(g));
    g.c = c;
    g.rng = seed ? seed : 1;
    g.today = today;
    long row = 0, hh = 0, full = 0, n_child = 0, n_old = 0;
    int n_urban = 0;
    for (int i = 0; i < ngrids; i++)
        n_urban += grids[i].urban;
    while (row < n) {
        hh++;
        /* Household size with the census mean: 15% live alone, the rest
         * are 1 + Poisson(lambda) people, lambda chosen so that the mean
         * holds (sizes capped at 12). */
        double mean = c->household_size > 1 ? c->household_size : 3;
        int size = 1;
        if (unif(&g.rng) >= 0.15) {
            double lambda = (mean - 1.0) / 0.85, limit = exp(-lambda), prod = unif(&g.rng);
            while (prod > limit && size < 12) {
                size++;
                prod *= unif(&g.rng);
            }
        }
        if (size > n - row)
            size = (int)(n - row);
        bool urban = unif(&g.rng) < c->urban_share;
        const struct xt_popgen_grid *gr;
        int tries = 0;
        do
            gr = &grids[pick(&g.rng, ngrids)];
        while (n_urban > 0 && n_urban < ngrids && gr->urban != urban && ++tries < 50);
        int ethnic = unif(&g.rng) < c->minority_share ? minority_group(&g.rng) : 1;
        bool low_income = unif(&g.rng) < 0.05, hardship = unif(&g.rng) < 0.006;
        char address[96];
        snprintf(address, sizeof(address), urban ? "%d号楼%d室" : "第%d组%d号",
                 1 + pick(&g.rng, 30), 1 + pick(&g.rng, 300));
        for (int k = 0; k < size; k++) {
            struct xt_gen_person p;
            memset(&p, 0, sizeof(p));
            p.row = ++row;
            /* Age groups by quota against the census shares, so that the
             * county's figures hold whatever the household sizes: heads
             * are adults, children are members of larger households. */
            bool need_child = (double)n_child < c->age0_14 * (double)row;
            bool need_old = (double)n_old < c->age65 * (double)row;
            int band;
            if (k == 0)
                band = need_old && unif(&g.rng) < (size == 1 ? 0.7 : 0.35) ? 2 : 1;
            else if (need_child && unif(&g.rng) < 0.9)
                band = 0;
            else
                band = need_old && unif(&g.rng) < 0.5 ? 2 : 1;
            int age = draw_age(&g, band);
            if (k == 0 && age < 22)
                age = 22 + pick(&g.rng, 40);
            int sex = unif(&g.rng) < c->male_share ? XT_SEX_MALE : XT_SEX_FEMALE;
            if (fill_person(&g, &p, age, sex, ethnic)) {
                /* A full day (500 numbers per sex and birth date in one
                 * county): draw again, but not for ever. */
                if (++full > 100000)
                    return XT_ETOOBIG;
                row--;
                k--;
                continue;
            }
            full = 0;
            n_child += age < 15;
            n_old += age >= 65;
            snprintf(p.unit, sizeof(p.unit), "%s", gr->code);
            snprintf(p.household, sizeof(p.household), "%s-%07ld", c->region, hh);
            snprintf(p.relation, sizeof(p.relation), "%s",
                     k == 0 ? "户主" : age < 18 ? "子女" : age >= 65 ? "父母" : "配偶");
            snprintf(p.address, sizeof(p.address), "%s", address);
            if (age >= 65 && size == 1)
                add_tag(&p, "elderly_alone");
            if (low_income)
                add_tag(&p, "low_income");
            if (hardship)
                add_tag(&p, "special_hardship");
            if (unif(&g.rng) < 0.06) {
                char t[24];
                snprintf(t, sizeof(t), "disabled:%d", 1 + pick(&g.rng, 4));
                add_tag(&p, t);
            }
            if (age >= 55 && unif(&g.rng) < 0.3)
                add_tag(&p, "chronic_illness");
            if (age < 16 && !gr->urban && unif(&g.rng) < 0.15)
                add_tag(&p, "left_behind_child");
            if (age >= 65 && size > 1 && !gr->urban && unif(&g.rng) < 0.1)
                add_tag(&p, "left_behind_elderly");
            if (sex == XT_SEX_MALE && age >= 40 && unif(&g.rng) < 0.02)
                add_tag(&p, "veteran");
            int rc = fn(ctx, &p);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* ---- lists ---- */

static const char *const sources[XT_LIST_COUNT] = {"civil", "disability", "health", "education"};
static const char *const headers[XT_LIST_COUNT] = {
    "姓名,身份证号,出生日期,联系电话,村社区代码,类别,认定日期",
    "姓名,身份证号,残疾等级,村社区代码,联系电话",
    "姓名,性别,出生日期,村社区代码,联系电话",
    "姓名,出生日期,村社区代码,监护人电话",
};
static const char *const mappings[XT_LIST_COUNT] = {
    "field,column\nname,姓名\nid_number,身份证号\nbirth_date,出生日期\nphone,联系电话\n"
    "unit,村社区代码\ntags,类别\ntag_date,认定日期\n",
    "field,column\nname,姓名\nid_number,身份证号\ntags,=disabled\ntag_grade,残疾等级\n"
    "unit,村社区代码\nphone,联系电话\n",
    "field,column\nname,姓名\nsex,性别\nbirth_date,出生日期\nunit,村社区代码\n"
    "phone,联系电话\ntags,=chronic_illness\n",
    "field,column\nname,姓名\nbirth_date,出生日期\nunit,村社区代码\ntags,=left_behind_child\n",
};

const char *xt_popgen_list_source(int list)
{
    return list >= 0 && list < XT_LIST_COUNT ? sources[list] : NULL;
}

const char *xt_popgen_list_header(int list)
{
    return list >= 0 && list < XT_LIST_COUNT ? headers[list] : NULL;
}

const char *xt_popgen_list_mapping(int list)
{
    return list >= 0 && list < XT_LIST_COUNT ? mappings[list] : NULL;
}

/* Variant spellings a clerk may use for the same person. */
static const char *const variant_pairs[][2] = {
    {"尕", "嘎"}, {"卓", "桌"}, {"才", "材"}, {"扎", "札"}, {"旦", "丹"},
    {"措", "错"}, {"买", "麦"}, {"穆", "木"}, {"玛", "马"},
};

static void copy_out(char *out, size_t outsz, const char *s)
{
    size_t n = strlen(s);
    if (n >= outsz)
        return; /* keep the name as it was rather than cut a character */
    memcpy(out, s, n + 1);
}

static void typo_name(uint64_t *rng, const char *in, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s", in);
    for (size_t i = 0; i < sizeof(variant_pairs) / sizeof(variant_pairs[0]); i++) {
        char *hit = strstr(out, variant_pairs[i][0]);
        if (hit && hit != out) {
            char buf[96];
            snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(hit - out), out, variant_pairs[i][1],
                     hit + strlen(variant_pairs[i][0]));
            copy_out(out, outsz, buf);
            return;
        }
    }
    /* No variant character: a wrong last character (a clerk's slip). */
    size_t n = strlen(out);
    if (n >= 9) {
        char buf[96];
        snprintf(buf, sizeof(buf), "%.*s%s", (int)(n - 3), out, given[pick(rng, 42)]);
        copy_out(out, outsz, buf);
    }
}

static void swap_birth(uint64_t *rng, char b[11])
{
    /* Swap the two digits of the day or of the month. */
    int i = unif(rng) < 0.5 ? 8 : 5;
    char t = b[i];
    b[i] = b[i + 1];
    b[i + 1] = t;
    int y = 0, m = 0, d = 0;
    if (sscanf(b, "%4d-%2d-%2d", &y, &m, &d) != 3 || !xt_date_valid(y, m, d)) {
        /* Not a date a form would take: the clerk's slip stays unmade. */
        b[i + 1] = b[i];
        b[i] = t;
    }
}

static bool has_tag(const char *tags, const char *t)
{
    return strstr(tags, t) != NULL;
}

bool xt_popgen_list_row(int list, const struct xt_gen_person *p, uint64_t *rng, char *out,
                        size_t outsz)
{
    char name[64], birth[11], phone[16], village[16];
    snprintf(name, sizeof(name), "%s", p->name);
    snprintf(birth, sizeof(birth), "%s", p->birth);
    snprintf(phone, sizeof(phone), "%s", p->phone);
    snprintf(village, sizeof(village), "%.12s", p->unit);
    /* Typos and conflicting values at the rates departments show. */
    if (unif(rng) < 0.04)
        typo_name(rng, p->name, name, sizeof(name));
    if (*phone && unif(rng) < 0.05)
        snprintf(phone + 3, sizeof(phone) - 3, "%08llu",
                 (unsigned long long)(next(rng) % 100000000ull));
    switch (list) {
    case XT_LIST_CIVIL: {
        char cat[96] = "";
        static const char *const kinds[] = {"low_income", "special_hardship", "elderly_alone",
                                            "left_behind_elderly"};
        static const char *const zh[] = {"低保", "特困", "独居老人", "留守老人"};
        for (int k = 0; k < 4; k++)
            if (has_tag(p->tags, kinds[k])) {
                size_t n = strlen(cat);
                snprintf(cat + n, sizeof(cat) - n, "%s%s", n ? "、" : "", zh[k]);
            }
        if (!*cat)
            return false;
        bool no_id = unif(rng) < 0.08;
        if (no_id && unif(rng) < 0.3)
            swap_birth(rng, birth);
        snprintf(out, outsz, "%s,%s,%s,%s,%s,%s,2026-01-%02d", name, no_id ? "" : p->id_number,
                 birth, phone, village, cat, 1 + pick(rng, 28));
        return true;
    }
    case XT_LIST_DISABILITY: {
        const char *d = strstr(p->tags, "disabled:");
        if (!d)
            return false;
        snprintf(out, outsz, "%s,%s,%c,%s,%s", name, p->id_number, d[9], p->unit, phone);
        return true;
    }
    case XT_LIST_HEALTH:
        if (!has_tag(p->tags, "chronic_illness"))
            return false;
        if (unif(rng) < 0.03)
            swap_birth(rng, birth);
        snprintf(out, outsz, "%s,%s,%s,%s,%s", name, p->sex == XT_SEX_MALE ? "男" : "女", birth,
                 village, phone);
        return true;
    case XT_LIST_EDUCATION:
        if (!has_tag(p->tags, "left_behind_child"))
            return false;
        if (unif(rng) < 0.03)
            swap_birth(rng, birth);
        snprintf(out, outsz, "%s,%s,%s,", name, birth, village);
        return true;
    default:
        return false;
    }
}

const char *xt_popgen_register_header(bool tags)
{
    return tags ? "姓名,公民身份号码,民族,联系电话,网格,户号,与户主关系,住址,人员类别"
                : "姓名,公民身份号码,民族,联系电话,网格,户号,与户主关系,住址";
}

const char *xt_popgen_register_mapping(bool tags)
{
    return tags ? "field,column\nname,姓名\nid_number,公民身份号码\nethnicity,民族\nphone,联系电话\n"
                  "unit,网格\nhousehold,户号\nrelation,与户主关系\naddress,住址\ntags,人员类别\n"
                : "field,column\nname,姓名\nid_number,公民身份号码\nethnicity,民族\nphone,联系电话\n"
                  "unit,网格\nhousehold,户号\nrelation,与户主关系\naddress,住址\n";
}

void xt_popgen_register_row(const struct xt_gen_person *p, bool tags, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s,%s,%02d,%s,%s,%s,%s,%s%s%s", p->name, p->id_number, p->ethnic,
             p->phone, p->unit, p->household, p->relation, p->address, tags ? "," : "",
             tags ? p->tags : "");
}
