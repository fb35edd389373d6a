from django import forms
from django.contrib.auth import password_validation

from xiangcun.core.validators import mobile
from xiangcun.divisions.models import Division

from .models import Role, User


class OtpForm(forms.Form):
    code = forms.CharField(label="动态口令", max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class UserForm(forms.ModelForm):
    password = forms.CharField(label="初始密码", required=False, widget=forms.PasswordInput,
                               help_text="新建用户必填;编辑时留空表示不修改。至少 10 位,不能过于常见或全为数字。")

    class Meta:
        model = User
        fields = ["username", "display_name", "role", "body", "jurisdiction", "phone", "is_active"]
        labels = {"username": "用户名", "is_active": "启用"}
        # Django's own help texts would follow the browser's language (LocaleMiddleware): say it in Chinese
        help_texts = {"username": "登录用的账号,最多 150 个字符:字母、数字和 @ . + - _。",
                      "is_active": "停用的用户不能登录;离职人员请停用而不要删除(审计日志仍指向其账号)。"}
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}

    def __init__(self, *args, manager=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.manager = manager
        if self.instance.pk:
            self.fields["password"].label = "重置密码"
            self.fields["password"].help_text = "留空表示不修改;填写即为该用户设置新密码(记入审计日志)。至少 10 位,不能过于常见或全为数字。"
        units = Division.objects.visible_to(manager).current().filter(level__lte=5)
        self.fields["jurisdiction"].queryset = units.order_by("path")
        self.fields["jurisdiction"].required = not manager.is_administrator
        from xiangcun.bodies.models import Body

        self.fields["body"].queryset = Body.objects.visible_to(manager).current().select_related("unit").order_by("unit__path", "name")
        self.fields["body"].help_text = "县级部门的用户须选所在部门(如财政局),部门的业务权限按它判断"
        if not manager.is_administrator:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        return mobile(value) if value else ""

    def clean(self):
        data = super().clean()
        if not self.manager.is_administrator and self.instance.pk and (
                self.instance.is_administrator or self.instance.is_staff):
            raise forms.ValidationError("系统管理员账号只能由系统管理员修改")
        body, unit, role = data.get("body"), data.get("jurisdiction"), data.get("role")
        if role == Role.DEPARTMENT and (body is None or body.kind != "county_department"):
            self.add_error("body", "角色为县级部门的用户须选择所在的县级部门")
        if body is not None and unit is not None and not unit.path.startswith(body.unit.path):
            self.add_error("body", f"所属机构“{body.name}”属于{body.unit.name},不在管辖范围{unit.name}或其上级")
        password = data.get("password")
        if not self.instance.pk and not password:
            self.add_error("password", "新建用户需要设置初始密码")
        if password:
            candidate = self.instance if self.instance.pk else User(username=data.get("username", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user
