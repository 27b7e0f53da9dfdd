from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.accounts import services
from marketplace.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from marketplace.errors import DomainError
from marketplace.extensions import db, limiter
from marketplace.forms import apply_domain_error
from marketplace.web import actor, safe_next_url

bp = Blueprint("accounts", __name__, url_prefix="/akun")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data,
                password=form.password.data,
                locale=session.get("lang"),
            )
        except DomainError as error:
            if not apply_domain_error(form, error):
                flash(error.message, "error")
        else:
            db.session.commit()
            login_user(user)
            flash(_("Selamat datang di Gotong, %(name)s! Akun Anda sudah dibuat.", name=user.name), "success")
            return redirect(url_for("cooperatives.my_space"))
    return render_template("accounts/register.html", form=form), 200 if request.method == "GET" else 422


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            session.permanent = True
            if user.locale and "lang" not in session:
                session["lang"] = user.locale
            flash(_("Anda sudah masuk."), "success")
            return redirect(safe_next_url(form.next.data) or url_for("cooperatives.my_space"))
    status = 200 if request.method == "GET" else 422
    return render_template("accounts/login.html", form=form), status


@bp.post("/keluar")
def logout():
    logout_user()
    flash(_("Anda sudah keluar."), "info")
    return redirect(url_for("site.home"))


@bp.route("/lupa-sandi", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(
            form.email.data, lambda token: url_for("accounts.reset_password", token=token, _external=True)
        )
        db.session.commit()
        flash(
            _(
                "Jika e-mail itu terdaftar, kami sudah mengirim tautan untuk mengatur ulang kata sandi. "
                "Periksa kotak masuk Anda."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    status = 200 if request.method == "GET" else 422
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/atur-ulang-sandi/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            logout_user()
            flash(_("Kata sandi baru sudah disimpan. Silakan masuk dengan kata sandi baru."), "success")
            return redirect(url_for("accounts.login", email=user.email))
    status = 200 if request.method == "GET" else 422
    return render_template("accounts/reset_password.html", form=form), status


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user, prefix="profile")
    password_form = ChangePasswordForm(prefix="password")
    status = 200
    if request.method == "POST" and request.form.get("action") == "profile":
        if form.validate():
            try:
                services.update_profile(
                    actor(), name=form.name.data, phone=form.phone.data, email=form.email.data
                )
            except DomainError as error:
                db.session.rollback()
                apply_domain_error(form, error) or flash(error.message, "error")
                status = 422
            else:
                db.session.commit()
                flash(_("Profil disimpan."), "success")
                return redirect(url_for("accounts.profile"))
        else:
            status = 422
    elif request.method == "POST" and request.form.get("action") == "password":
        form = ProfileForm(obj=current_user, prefix="profile", formdata=None)
        if password_form.validate():
            try:
                services.change_password(
                    actor(),
                    current_password=password_form.current_password.data,
                    new_password=password_form.new_password.data,
                )
            except DomainError as error:
                apply_domain_error(password_form, error) or flash(error.message, "error")
                status = 422
            else:
                db.session.commit()
                login_user(actor())  # the session id carries the password fingerprint
                flash(_("Kata sandi diganti. Sesi di perangkat lain sudah diakhiri."), "success")
                return redirect(url_for("accounts.profile"))
        else:
            status = 422
    return render_template("accounts/profile.html", form=form, password_form=password_form), status
