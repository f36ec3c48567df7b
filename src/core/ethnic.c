/* ethnic.c - the GB 3304-91 table of ethnic groups (中国各民族名称的罗马字母拼写法和代码). */
#include "core/ethnic.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Typed from GB/T 3304-1991; see data/README.md. */
static const struct xt_ethnic groups[XT_ETHNIC_COUNT] = {
    {1, "汉族", "Han", "HA"},          {2, "蒙古族", "Mongol", "MG"},
    {3, "回族", "Hui", "HU"},          {4, "藏族", "Zang", "ZA"},
    {5, "维吾尔族", "Uygur", "UG"},    {6, "苗族", "Miao", "MH"},
    {7, "彝族", "Yi", "YI"},           {8, "壮族", "Zhuang", "ZH"},
    {9, "布依族", "Buyei", "BY"},      {10, "朝鲜族", "Chosen", "CS"},
    {11, "满族", "Man", "MA"},         {12, "侗族", "Dong", "DO"},
    {13, "瑶族", "Yao", "YA"},         {14, "白族", "Bai", "BA"},
    {15, "土家族", "Tujia", "TJ"},     {16, "哈尼族", "Hani", "HN"},
    {17, "哈萨克族", "Kazak", "KZ"},   {18, "傣族", "Dai", "DA"},
    {19, "黎族", "Li", "LI"},          {20, "傈僳族", "Lisu", "LS"},
    {21, "佤族", "Va", "VA"},          {22, "畲族", "She", "SH"},
    {23, "高山族", "Gaoshan", "GS"},   {24, "拉祜族", "Lahu", "LH"},
    {25, "水族", "Sui", "SU"},         {26, "东乡族", "Dongxiang", "DX"},
    {27, "纳西族", "Naxi", "NX"},      {28, "景颇族", "Jingpo", "JP"},
    {29, "柯尔克孜族", "Kirgiz", "KG"}, {30, "土族", "Tu", "TU"},
    {31, "达斡尔族", "Daur", "DU"},    {32, "仫佬族", "Mulao", "ML"},
    {33, "羌族", "Qiang", "QI"},       {34, "布朗族", "Blang", "BL"},
    {35, "撒拉族", "Salar", "SL"},     {36, "毛南族", "Maonan", "MN"},
    {37, "仡佬族", "Gelao", "GL"},     {38, "锡伯族", "Xibe", "XB"},
    {39, "阿昌族", "Achang", "AC"},    {40, "普米族", "Pumi", "PM"},
    {41, "塔吉克族", "Tajik", "TA"},   {42, "怒族", "Nu", "NU"},
    {43, "乌孜别克族", "Uzbek", "UZ"}, {44, "俄罗斯族", "Russ", "RS"},
    {45, "鄂温克族", "Ewenki", "EW"},  {46, "德昂族", "Deang", "DE"},
    {47, "保安族", "Bonan", "BN"},     {48, "裕固族", "Yugur", "YG"},
    {49, "京族", "Gin", "GI"},         {50, "塔塔尔族", "Tatar", "TT"},
    {51, "独龙族", "Derung", "DR"},    {52, "鄂伦春族", "Oroqen", "OR"},
    {53, "赫哲族", "Hezhen", "HZ"},    {54, "门巴族", "Monba", "MB"},
    {55, "珞巴族", "Lhoba", "LB"},     {56, "基诺族", "Jino", "JN"},
};

const struct xt_ethnic *xt_ethnic_by_code(int code)
{
    if (code < 1 || code > XT_ETHNIC_COUNT)
        return NULL;
    return &groups[code - 1];
}

const struct xt_ethnic *xt_ethnic_parse(const char *s)
{
    if (!s)
        return NULL;
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n == 0 || n > 32)
        return NULL;
    char v[33];
    memcpy(v, s, n);
    v[n] = '\0';
    if (strspn(v, "0123456789") == n && n <= 2)
        return xt_ethnic_by_code((int)strtol(v, NULL, 10));
    static const char zu[] = "族";
    for (int i = 0; i < XT_ETHNIC_COUNT; i++) {
        const struct xt_ethnic *g = &groups[i];
        size_t zl = strlen(g->zh) - (sizeof(zu) - 1);
        if (strcmp(v, g->zh) == 0 || (n == zl && memcmp(v, g->zh, zl) == 0) ||
            strcasecmp(v, g->roman) == 0 || strcasecmp(v, g->abbr) == 0)
            return g;
    }
    return NULL;
}
